// A vehicle's cheapest schedule against given step prices, on its own (no site limit): the pricing step of the
// decomposition. For a charge-only car the energy it stores only grows, so its feasible set is a box with one
// total-energy bound and the greedy is exact for any efficiency: fill the need in the cheapest steps (only
// where charging beats the shortfall penalty), then take any step that pays to charge, up to the ceiling.
#pragma once

#include <span>
#include <vector>

#include "plan/problem.hpp"

namespace voltpool {

// Steps sorted by price, cheapest first (ties: earlier first); one ranking serves every vehicle of a pass.
std::vector<int> rank_steps(std::span<const double> price_eur_per_kwh);

struct ResponseCost {
  double energy_eur = 0;     // at the true import prices
  double shortfall_kwh = 0;  // target missed
  double priced_eur = 0;     // at the given (modified) prices, shortfall and floor penalties included
  double floor_eur = 0;      // what its energy below the soft floors costs
  double wear_eur = 0;       // its battery wear (with a wear model)
};

// Writes vehicle i's mean grid power per window step into kw (size window(i)). Requires discharge_max_kw == 0 and
// no soft floors (storage_response plans those).
// `penalty` is p.shortfall_penalty_eur_per_kwh(), computed once by the caller.
ResponseCost charge_only_response(const PlanningProblem& p, size_t i, std::span<const double> price_eur_per_kwh,
                                  std::span<const int> ranking, double penalty, std::span<double> kw);

// Bidirectional cars: plan/storage_response.hpp.

}  // namespace voltpool
