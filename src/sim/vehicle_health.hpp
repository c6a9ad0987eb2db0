// Each vehicle's state of health over a simulated run, with the full cell model (battery/degradation), from
// a new battery: its state of charge step by step across all its sessions (what the meter log says while
// plugged in; between sessions held at the departure SoC, the drop to the next arrival's SoC taken as the
// drive just before it), aged day by day (each day's stressors time-averaged, BLAST's stepping). The run's
// duty repeated gives the long view (years). Pack level: the cell's losses times kPackFadeFactor.
#pragma once

#include <string>
#include <vector>

#include "battery/degradation.hpp"
#include "sim/simulator.hpp"

namespace voltpool {

struct HealthOptions {
  CellModel model = CellModel::kNmcGr75AhA;
  double temp_c = 25;
  int years = 10;  // the long view: the run's duty repeated to this many years
};

struct VehicleHealth {
  std::string vehicle_id;
  int sessions = 0;
  double capacity_kwh = 0;
  double cost_eur = 0;                  // its sessions' energy cost (import - export credit)
  double capacity_loss_pct = 0;         // pack capacity lost over the run, in % of the new capacity
  double capacity_loss_years_pct = 0;   // after `years` of the run's duty
};

// One entry per vehicle, in the order vehicles first arrive. A session without a vehicle id is its own vehicle.
std::vector<VehicleHealth> vehicle_health(const SimulationInput& input, const SimulationResult& result,
                                          const HealthOptions& options);

// What a run did for each owner against uncontrolled charging of the same sessions: energy cost saved, the
// value of the extra capacity lost (capacity x EUR per kWh of capacity x extra loss), and the net of both.
struct OwnerOutcome {
  VehicleHealth run, baseline;
  double saved_eur = 0;
  double extra_wear_eur = 0;
  double net_gain_eur = 0;
};
// Pairs the two runs' vehicles by id (in the run's order).
std::vector<OwnerOutcome> owner_outcomes(const std::vector<VehicleHealth>& run,
                                         const std::vector<VehicleHealth>& baseline,
                                         double capacity_value_eur_per_kwh);
// The value of the capacity a vehicle lost over the run.
double wear_eur(const VehicleHealth& v, double capacity_value_eur_per_kwh);

}  // namespace voltpool
