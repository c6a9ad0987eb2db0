#include "flex/follow.hpp"

#include <algorithm>
#include <cmath>

#include "flex/close_residue.hpp"
#include "flex/spread_split.hpp"
#include "plan/exact_solver.hpp"
#include "plan/fast_solver.hpp"

namespace voltpool {

namespace {

// What a split leaves off a profile it meets, closed car by car: the decomposition's master up to 4e-4 kW a
// step at 100,000 cars, the LP about 1e-5 kW where a site limit binds at the profile, the spread split a
// profile file's rounding. Beyond it the split did not meet the profile (nothing to close).
constexpr double kPlannerResidueKw = 1e-2;

// The spread split, the rounding of a profile closed car by car. False where it does not apply or does not
// meet the profile (then the LP or the decomposition decides, nearest profile and all). The split aims at
// half the tolerance: its own sums and the plan's accounting round differently, by far less.
bool spread_follow(const PlanningProblem& p, const std::vector<double>& profile_kw, double tolerance_kw,
                   SpreadDischarge discharge, Plan& plan) {
  auto split = spread_split(p, profile_kw, 0.5 * tolerance_kw, discharge);
  if (!split) return false;
  double worst_kw = split->worst_kw;
  if (worst_kw > kPlannerResidueKw) return false;  // not a rounding to close: a profile it does not meet
  if (worst_kw > 0.5 * tolerance_kw) worst_kw = close_residue(p, profile_kw, split->plan);
  if (worst_kw > tolerance_kw) return false;
  plan = std::move(split->plan);
  return true;
}

}  // namespace

Result<FollowResult> follow_profile(const PlanningProblem& p, const std::vector<double>& profile_kw,
                                    double tolerance_kw) {
  if (static_cast<int>(profile_kw.size()) != p.steps) {
    return Error{"the profile has " + std::to_string(profile_kw.size()) + " steps, the fleet " +
                 std::to_string(p.steps)};
  }
  for (size_t t = 0; t < profile_kw.size(); ++t) {
    if (!std::isfinite(profile_kw[t]))
      return Error{"the profile at step " + std::to_string(t) + " is not a number"};
  }
  FollowResult r;
  // Charge-only fleets of any size: the spread split (milliseconds where the LP took minutes at a million
  // vehicle-steps). Fleets that may discharge, beyond the LP's size: first their spread split in which no car
  // discharges, where the profile allows one (no cycling at all), else the one in which the cars that may
  // discharge do (seconds at a million cars where the decomposition takes minutes). Other fleets, and
  // profiles neither meets: the exact LP up to kExactFollowMaxVehicleSteps, the decomposition above; what
  // either leaves off the profile (the LP's tolerances where a site limit binds, the decomposition's
  // master's) is closed car by car. Each leaves the plan accounted against the profile.
  size_t vehicle_steps = 0;
  bool may_discharge = false;
  for (size_t i = 0; i < p.vehicles.size(); ++i) {
    vehicle_steps += static_cast<size_t>(p.vehicles.window(i));
    may_discharge = may_discharge || p.vehicles.discharge_max_kw[i] > 0;
  }
  const bool exact = vehicle_steps <= kExactFollowMaxVehicleSteps;
  // A profile that asks the fleet to deliver at some step (beyond a residue closed car by car) has no split
  // in which no car discharges (at a million cars, finding that out cost a quarter of a second).
  const bool delivers = std::any_of(profile_kw.begin(), profile_kw.end(), [&](double kw) {
    return kw < -std::max(tolerance_kw, kPlannerResidueKw);
  });
  const bool by_spread =
      (!may_discharge || !exact) &&
      ((!delivers && spread_follow(p, profile_kw, tolerance_kw, SpreadDischarge::kNone, r.plan)) ||
       (may_discharge && spread_follow(p, profile_kw, tolerance_kw, SpreadDischarge::kWhereAllowed, r.plan)));
  if (by_spread) {
    account_plan(p, r.plan, profile_kw);
  } else {
    PlanningProblem q = p;  // the planners follow the profile the problem carries
    q.fleet_profile_kw = profile_kw;
    if (exact) q.centring_eur_per_h = kSplitCentringEurPerH;
    auto plan = exact ? solve_exact(q) : solve_fast(q);
    if (!plan.ok()) return plan.error();
    r.plan = std::move(*plan);
    const bool met_but_residue = std::all_of(r.plan.deviation_kw.begin(), r.plan.deviation_kw.end(),
                                             [](double kw) { return std::abs(kw) <= kPlannerResidueKw; });
    if (met_but_residue && !q.has_feeder_limits()) {
      // The residue, closed car by car (feeders' limits would need their own room). A profile missed by more
      // is the nearest the fleet can follow: left as the planner found it.
      close_residue(q, profile_kw, r.plan);
      account_plan(q, r.plan);
    }
  }
  // The fleet's power is the profile less the plan's deviation from it (its compensated sums).
  r.nearest_kw.resize(profile_kw.size());
  r.accepted = true;
  for (size_t t = 0; t < profile_kw.size(); ++t) {
    r.nearest_kw[t] = profile_kw[t] - r.plan.deviation_kw[t];
    if (std::abs(r.plan.deviation_kw[t]) > tolerance_kw) {
      r.accepted = false;
      if (!r.first_infeasible_step) r.first_infeasible_step = static_cast<int>(t);
    }
  }
  return r;
}

}  // namespace voltpool
