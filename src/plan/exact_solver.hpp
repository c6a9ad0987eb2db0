// The exact planner: the fleet LP built directly (no modelling layer) and solved by COIN-OR CLP (barrier, then
// crossover to a vertex). Per vehicle-step a charge and (with V2G) a discharge variable and the energy at the
// end of the step; energy balance rows per vehicle-step, one target row per vehicle (with a penalised
// shortfall), one ranged row per limited step of the fleet and of each feeder. The reference every faster
// planner is checked against.
#pragma once

#include "core/result.hpp"
#include "plan/problem.hpp"

namespace voltpool {

// Charging and discharging in the same step: with efficiencies < 1 the LP may "burn" energy that way, which no
// charger can do. It only pays where energy must be shed (a negative price with the battery full, or an export
// limit that binds); the plan carries the single power that leaves the battery where the LP's would
// (single_direction_kw) and counts such vehicle-steps (Plan::simultaneous_steps).
Result<Plan> solve_exact(const PlanningProblem& problem);

}  // namespace voltpool
