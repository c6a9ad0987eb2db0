// The fleet simulator: steps plug-in sessions through a time grid. Each step it lets cars arrive and leave,
// asks a `Strategy` for every plugged car's power, applies it through the battery model (power limits,
// efficiencies, energy window, the share of the step the car is really there), keeps the site within its
// limits and meters every car: energy in and out, cost at the step's price, CO2 at the step's intensity.
#pragma once

#include <functional>
#include <vector>

#include "fleet/session.hpp"
#include "sim/strategy.hpp"

namespace voltpool {

struct SimulationInput {
  TimeGrid grid;
  std::vector<PlugSession> sessions;  // any order; each must arrive within the grid
  std::vector<double> price_eur_per_kwh;         // per grid step
  std::vector<double> export_price_eur_per_kwh;  // per grid step; empty = the import price
  std::vector<int> price_published_step;         // per grid step: from which step its price is known
  std::vector<double> carbon_kg_per_kwh;         // per grid step; empty = not tracked
  SiteLimits site;                 // what strategies are told
  bool enforce_site_limit = true;  // scale power down when the cars together exceed it (a site load guard)
};

// Every session's grid power per step, laid out session after session (its steps contiguous).
struct MeterLog {
  std::vector<int> first_step;    // by session
  std::vector<size_t> offset;     // by session, into kw; offset[i+1] - offset[i] steps
  std::vector<double> kw;         // mean grid power over the step, + into the car

  std::span<const double> of(size_t session) const {
    return {kw.data() + offset[session], offset[session + 1] - offset[session]};
  }
};

struct SessionOutcome {
  double need_kwh = 0;           // battery-side energy the owner wanted
  double feasible_kwh = 0;       // what the car could physically take while really plugged in (<= need)
  double delivered_kwh = 0;      // battery-side energy added (final - arrival)
  double final_energy_kwh = 0;
  double import_kwh = 0;
  double export_kwh = 0;
  double cost_eur = 0;           // import cost minus export credit
  double co2_kg = 0;             // net: export counted as avoided
  bool left_before_estimate = false;
};

struct SimulationResult {
  std::vector<double> fleet_kw;       // per step
  std::vector<double> cost_eur;       // per step
  std::vector<double> co2_kg;         // per step (zeros without carbon)
  std::vector<SessionOutcome> sessions;  // in input order
  MeterLog meter;
  int steps_site_limited = 0;         // steps where the site guard had to scale power down
};

// Called every few hundred steps with (steps done, steps in all).
using ProgressFn = std::function<void(int, int)>;

// Requires: price vectors sized grid.steps; sessions arrive inside the grid and leave by its end.
SimulationResult simulate(const SimulationInput& input, Strategy& strategy, const ProgressFn& progress = {});

// Share of step t (of `grid`) covered by [from, to).
double presence_fraction(const TimeGrid& grid, int64_t t, UtcTime from, UtcTime to);

}  // namespace voltpool
