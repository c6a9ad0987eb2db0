// The decomposition meets a followed profile only to its master's tolerance: a fraction of a watt per step at
// 100,000 cars, where the profile asks for 1e-6 kW. close_residue gives what is left at each step to the cars
// that can take it unseen by their owners, cars that keep the energy first, then those with the most room (so
// few schedules change): a car changes what it leaves with where it has room (up to its ceiling; down to at
// most 1 mWh below the smaller of its target and what it left with, the rounding of the profile), or moves
// power between this step and a later one that gives the energy back (its energy in between within its
// window). Step by step, so what one step hands on, a later one closes.
#pragma once

#include <span>

#include "plan/problem.hpp"

namespace voltpool {

// What a car may leave with below what it would otherwise leave with (at most its target) when a split is
// closed onto a profile: 1 mWh, the rounding of a profile summed from many cars' powers or written to a file
// (the energy it asks for is known to about 1e-12 of the fleet's).
inline constexpr double kProfileRoundingKwh = 1e-6;

// Changes plan.kw in place (every car stays within its power box and energy window, and leaves with at least
// the smaller of its target and what it left with, less 1 mWh); returns the largest |profile - fleet power|
// left. Where handing residues on only piles them up at a later step (a fleet with too little room), so that
// the largest gets larger, the plan is left as it was.
double close_residue(const PlanningProblem& p, std::span<const double> profile_kw, Plan& plan);

}  // namespace voltpool
