#include "flex/follow.hpp"

#include <algorithm>
#include <cmath>

#include "flex/close_residue.hpp"
#include "plan/exact_solver.hpp"
#include "plan/fast_solver.hpp"

namespace voltpool {

Result<FollowResult> follow_profile(PlanningProblem p, const std::vector<double>& profile_kw, double tolerance_kw) {
  if (static_cast<int>(profile_kw.size()) != p.steps) {
    return Error{"the profile has " + std::to_string(profile_kw.size()) + " steps, the fleet " + std::to_string(p.steps)};
  }
  p.fleet_profile_kw = profile_kw;
  // The exact LP's vertex meets the profile to ~1e-9 kW; the decomposition's convex combination only to its
  // master's tolerance (~1e-6 kW at a thousand cars), so it takes the fleets too large for the LP.
  size_t vehicle_steps = 0;
  for (size_t i = 0; i < p.vehicles.size(); ++i) vehicle_steps += static_cast<size_t>(p.vehicles.window(i));
  bool exact = vehicle_steps <= kExactFollowMaxVehicleSteps;
  if (exact) p.centring_eur_per_h = kSplitCentringEurPerH;
  auto plan = exact ? solve_exact(p) : solve_fast(p);
  if (!plan.ok()) return plan.error();
  FollowResult r;
  r.plan = std::move(*plan);
  if (!exact && !p.has_feeder_limits()) {
    // The decomposition's rounding residue, closed car by car (feeders' limits would need their own room).
    close_residue(p, profile_kw, r.plan);
    account_plan(p, r.plan);
  }
  auto fleet = fleet_power_kw(p, r.plan);
  r.nearest_kw = fleet;
  r.accepted = true;
  for (int t = 0; t < p.steps; ++t) {
    if (std::abs(profile_kw[t] - fleet[t]) > tolerance_kw) {
      r.accepted = false;
      if (!r.first_infeasible_step) r.first_infeasible_step = t;
    }
  }
  return r;
}

}  // namespace voltpool
