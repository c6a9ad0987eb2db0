// Membership and disaggregation: can the fleet follow an aggregate power profile while every owner still gets
// what they asked for, and if so, how much each car does. The profile becomes an equality on the fleet's power
// with a penalised deviation (plan/problem.hpp: fleet_profile_kw); the planner finds the split, or the
// smallest deviation, i.e. the nearest profile the fleet can follow. Charge-only fleets take the spread split
// (spread_split.hpp) where it meets the profile; the others (or a profile it does not meet) the exact LP up to
// kExactFollowMaxVehicleSteps, and the decomposition above (each to its tolerances; close_residue closes what
// they leave, without feeder limits).
#pragma once

#include <optional>
#include <vector>

#include "core/result.hpp"
#include "plan/problem.hpp"

namespace voltpool {

// The LP (with its centring) split 100 V2G cars of the benchmark fleet in 0.5 s, 300 in 2.1 s, 1,000 in 24 s
// and 10,000 in over 5 minutes; the decomposition 1,000 in 4.1 s, 10,000 in 18 s.
inline constexpr size_t kExactFollowMaxVehicleSteps = 12'000;
// Among the splits that follow a profile equally well, the exact LP prefers the one that keeps each car near
// the middle of its energy corridor (PlanningProblem::centring_eur_per_h): able to move both ways later, with
// the power and so the cycling spread over the cars. Small next to any price, so it only breaks ties. The
// decomposition can carry it too (tested), but at 100,000 cars it made a split take 9.7 minutes instead of
// 10.5 s (every car through its dynamic programme, three more kinks a step), so larger fleets split without.
inline constexpr double kSplitCentringEurPerH = 1e-4;

struct FollowResult {
  bool accepted = false;               // followed within tolerance_kw at every step
  std::optional<int> first_infeasible_step;
  std::vector<double> nearest_kw;      // the nearest profile the fleet can follow (= the profile if accepted)
  Plan plan;                           // the per-vehicle split of nearest_kw
};

// `problem` gives the vehicles, steps and prices. Between equally good splits the LP and the decomposition break
// ties by prices, then (the LP) the centring above; the spread split prefers the power spread over the cars.
// A profile value that is not a number is an error.
Result<FollowResult> follow_profile(const PlanningProblem& problem, const std::vector<double>& profile_kw,
                                    double tolerance_kw = 1e-6);

}  // namespace voltpool
