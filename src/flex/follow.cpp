#include "flex/follow.hpp"

#include <algorithm>
#include <cmath>

#include "flex/close_residue.hpp"
#include "flex/spread_split.hpp"
#include "plan/exact_solver.hpp"
#include "plan/fast_solver.hpp"

namespace voltpool {

namespace {

// Charge-only fleets: the spread split, the rounding of a profile closed car by car. False where it does not apply
// or does not meet the profile (then the LP or the decomposition decides, nearest profile and all).
// The split aims at half the tolerance (its fleet sums are compensated like fleet_power_kw's, so what it reports
// is what is checked).
bool spread_follow(const PlanningProblem& p, const std::vector<double>& profile_kw, double tolerance_kw, Plan& plan) {
  auto split = spread_split(p, profile_kw, 0.5 * tolerance_kw);
  if (!split) return false;
  double worst_kw = split->worst_kw;
  if (worst_kw > 0.5 * tolerance_kw) worst_kw = close_residue(p, profile_kw, split->plan);
  if (worst_kw > tolerance_kw) return false;
  plan = std::move(split->plan);
  return true;
}

}  // namespace

Result<FollowResult> follow_profile(PlanningProblem p, const std::vector<double>& profile_kw, double tolerance_kw) {
  if (static_cast<int>(profile_kw.size()) != p.steps) {
    return Error{"the profile has " + std::to_string(profile_kw.size()) + " steps, the fleet " + std::to_string(p.steps)};
  }
  for (size_t t = 0; t < profile_kw.size(); ++t) {
    if (!std::isfinite(profile_kw[t])) return Error{"the profile at step " + std::to_string(t) + " is not a number"};
  }
  p.fleet_profile_kw = profile_kw;
  FollowResult r;
  // Charge-only fleets of any size: the spread split (milliseconds where the LP took minutes at a million
  // vehicle-steps). Other fleets, and profiles it does not meet: the exact LP, whose vertex meets the profile to
  // ~1e-9 kW, up to kExactFollowMaxVehicleSteps; the decomposition above (its convex combination meets the
  // profile only to its master's tolerance).
  if (spread_follow(p, profile_kw, tolerance_kw, r.plan)) {
    account_plan(p, r.plan);
  } else {
    size_t vehicle_steps = 0;
    for (size_t i = 0; i < p.vehicles.size(); ++i) vehicle_steps += static_cast<size_t>(p.vehicles.window(i));
    const bool exact = vehicle_steps <= kExactFollowMaxVehicleSteps;
    if (exact) p.centring_eur_per_h = kSplitCentringEurPerH;
    auto plan = exact ? solve_exact(p) : solve_fast(p);
    if (!plan.ok()) return plan.error();
    r.plan = std::move(*plan);
    if (!exact && !p.has_feeder_limits()) {
      // The decomposition's rounding residue, closed car by car (feeders' limits would need their own room).
      close_residue(p, profile_kw, r.plan);
      account_plan(p, r.plan);
    }
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
