// The vpp-fleet-day-v1 metrics of a schedule (../shared/bench/vpp-fleet-day-v1.md, "Output and metrics"),
// computed from the schedule alone, independently of whoever made it.
#pragma once

#include <span>
#include <vector>

#include "fleet/vpp_fleet_day.hpp"

namespace voltpool {

struct ScheduleMetrics {
  double delivered_kwh = 0;    // sum of P*dt
  double demand_met_kwh = 0;   // sum of min(max(sum P*dt, 0), e_target - e_arrival)
  double feasible_kwh = 0;     // sum of min(request, p_max * window * dt)
  double pct_of_feasible = 0;
  int fully_served = 0;        // EVs with delivered >= request - 0.1 kWh
  double cost_eur = 0;         // export credited at the same price
  double peak_kw = 0;
  int steps_over_limit = 0;    // aggregate power > limit + 1e-3 kW (with v2g also export beyond it)
  int violations = 0;          // EV-steps outside power bounds or window, or E outside [e_min, e_target] +- 1e-6
};

// kw holds evs.size() rows of `prices.size()` steps each (row-major, EV by EV). With v2g false a negative
// power is a violation.
ScheduleMetrics evaluate_schedule(const std::vector<BenchEv>& evs, const std::vector<double>& prices_eur_per_kwh,
                                  double site_limit_kw, std::span<const double> kw, double dt_h, bool v2g);

}  // namespace voltpool
