// The vpp-fleet-day-v1 benchmark as a planning problem: efficiency 1, the target is also the ceiling, one site
// limit (import, and export with V2G) for every step.
#pragma once

#include "fleet/vpp_fleet_day.hpp"
#include "plan/problem.hpp"

namespace voltpool {

PlanningProblem fleet_day_problem(const std::vector<BenchEv>& evs, const std::vector<double>& prices_eur_per_kwh,
                                  double site_limit_kw, bool v2g, double wear_eur_per_kwh);

}  // namespace voltpool
