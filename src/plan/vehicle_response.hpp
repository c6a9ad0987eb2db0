// A vehicle's cheapest schedule against given step prices, on its own (no site limit): the pricing step of the
// decomposition. For a charge-only car the energy it stores only grows, so its feasible set is a box with one
// total-energy bound and the greedy is exact for any efficiency: fill the need in the cheapest steps (only
// where charging beats the shortfall penalty), then take any step that pays to charge, up to the ceiling.
#pragma once

#include <algorithm>
#include <cassert>
#include <span>
#include <vector>

#include "plan/problem.hpp"

namespace voltpool {

// Steps sorted by price, cheapest first (ties: earlier first); one ranking serves every vehicle of a pass.
std::vector<int> rank_steps(std::span<const double> price_eur_per_kwh);

// A ranking restricted to windows [first, end): one list per window, shared by every vehicle with that window,
// so a vehicle walks only its own steps.
class WindowRankings {
 public:
  // Adds the steps of `ranking` inside [first, end) as the next window's list.
  void add(std::span<const int> ranking, int first, int end);
  void clear() { steps_.clear(), offset_.assign(1, 0); }
  std::span<const int> of(size_t window) const { return {steps_.data() + offset_[window], offset_[window + 1] - offset_[window]}; }

 private:
  std::vector<int> steps_;
  std::vector<size_t> offset_ = {0};
};

struct ResponseCost {
  double energy_eur = 0;     // at the true import prices
  double shortfall_kwh = 0;  // target missed
  double priced_eur = 0;     // at the given (modified) prices, shortfall and floor penalties included
  double floor_eur = 0;      // what its energy below the soft floors costs
  double wear_eur = 0;       // its battery wear (with a wear model)
  double centring_eur = 0;   // what being off its corridor's middle costs (with centring)
  // What the schedule costs in the planners' objective (no surcharges), with `penalty` per kWh short.
  double objective_eur(double penalty) const {
    return energy_eur + penalty * shortfall_kwh + floor_eur + wear_eur + centring_eur;
  }
};

// Vehicle i's mean grid power at the window steps it charges: put(k, kw) for window step k, each at most once
// (the other steps are 0). `ranking` holds the steps of its window [first, end), cheapest first. Requires
// discharge_max_kw == 0 and no soft floors (storage_response plans those). `penalty` is
// p.shortfall_penalty_eur_per_kwh(), computed once by the caller.
template <class Put>
ResponseCost charge_only_response(const PlanningProblem& p, size_t i, std::span<const double> price_eur_per_kwh,
                                  std::span<const int> ranking, double penalty, Put&& put) {
  const PlanVehicles& v = p.vehicles;
  const int first = v.first_step[i], last = v.end_step[i] - 1;
  const double eta = v.eta_charge[i], dt = p.dt_h;
  const double full_step_kwh = v.charge_max_kw[i] * eta * dt, kw_per_kwh = 1.0 / (eta * dt);  // stored kWh
  const double first_fraction = v.first_fraction[i], last_fraction = v.last_fraction[i];
  const double need = std::max(0.0, v.target_kwh[i] - v.e0_kwh[i]);
  const double room = std::max(0.0, v.e_max_kwh[i] - v.e0_kwh[i]);
  const double need_beats_penalty = penalty * eta;
  ResponseCost cost;
  double stored = 0;
  for (int t : ranking) {
    const double a = price_eur_per_kwh[t];
    const bool fills_need = stored < need && a < need_beats_penalty;
    const bool pays = a < 0 && stored < room;
    if (!fills_need && !pays) {
      if (a >= 0) break;  // the ranking only gets dearer
      continue;
    }
    assert(t >= first && t <= last);  // the ranking holds the window's steps only
    const double share = t == first ? first_fraction : (t == last ? last_fraction : 1.0);
    const double take = std::min(full_step_kwh * share, (a < 0 ? room : need) - stored);
    if (take <= 0) continue;
    stored += take;
    const double pkw = take * kw_per_kwh;
    put(t - first, pkw);
    cost.energy_eur += p.import_price_eur_per_kwh[t] * pkw * dt;
    cost.priced_eur += a * pkw * dt;
  }
  cost.shortfall_kwh = std::max(0.0, need - stored);
  cost.priced_eur += penalty * cost.shortfall_kwh;
  return cost;
}
// The same into kw (size window(i)), every window step written.
ResponseCost charge_only_response(const PlanningProblem& p, size_t i, std::span<const double> price_eur_per_kwh,
                                  std::span<const int> ranking, double penalty, std::span<double> kw);

// Bidirectional cars: plan/storage_response.hpp.

}  // namespace voltpool
