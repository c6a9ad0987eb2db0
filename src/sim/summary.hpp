// The numbers a fleet operator reads first: energy asked for, physically possible and delivered, cost, peak,
// CO2. Computed from a simulation's metered outcome; documented field by field in the README.
#pragma once

#include <string>

#include "sim/simulator.hpp"

namespace voltpool {

struct FleetSummary {
  std::string strategy;
  size_t vehicles = 0;  // distinct vehicles (a session with no driver id counts as its own vehicle)
  size_t sessions = 0;
  double energy_requested_kwh = 0;  // battery side, what owners asked for
  double energy_feasible_kwh = 0;   // what the cars could physically take while really plugged in
  double energy_delivered_kwh = 0;  // battery side, added
  double pct_demand_met = 0;        // delivered / requested, %
  double pct_of_feasible = 0;       // sum of min(delivered, feasible) / feasible, %
  size_t vehicles_fully_served = 0;  // sessions that got their whole request (within 0.1 kWh)
  size_t sessions_left_before_estimate = 0;
  double energy_missed_early_departure_kwh = 0;  // feasible energy not delivered because the owner left early
  double grid_import_kwh = 0;
  double grid_export_kwh = 0;
  double losses_kwh = 0;
  double cost_eur = 0;
  double avg_price_paid_eur_per_kwh = 0;
  double peak_kw = 0;
  bool has_carbon = false;
  double co2_kg = 0;
  int steps_site_limited = 0;
};

FleetSummary summarize(const SimulationInput& input, const SimulationResult& result, std::string strategy);

}  // namespace voltpool
