// Disaggregation by one smooth split: of all the ways the cars can follow a profile, the one that spreads
// each step's power over the cars in proportion to their power (the least sum over cars and steps of kw^2 /
// the car's most kW then), so no car works harder than it must and the wear is spread.
//
// Its optimality conditions make every car's power at a step its most kW times a utilisation common to the
// fleet, shifted by the car's own energy multiplier and clipped to what the car can do:
//   kw(i, t) = cap(i, t) * clamp(z(t) + s(i, t), -low(i), 1),
// low(i) its discharge power per charge power (0 for a car that only charges), s(i, t) = 0 unless the car
// would then miss its departure range or pass its floor or ceiling on the way, else the shifts that keep it
// (one per stretch between the steps where it is held at a bound, spread_car.hpp). So the split is found on
// the steps' utilisations z alone (one number per step), by Newton's method on the split's dual (concave,
// with a piecewise-linear gradient: the profile less the fleet's power): each pass prices the fleet at z
// (spread_pass.hpp: a window's whole-step cars that only charge as one class, the others car by car) and sums
// its Jacobian in z; a steps x steps system (96 x 96 for a day) gives the next z. Once the cars' free steps
// settle, one step lands on the profile.
#pragma once

#include <optional>
#include <span>

#include "plan/problem.hpp"

namespace voltpool {

struct SpreadSplit {
  Plan plan;            // offset and kw set (not accounted)
  int passes = 0;       // passes over the fleet
  double worst_kw = 0;  // largest |profile - fleet power| left
};

// Fleets this applies to: no feeder limits, guardrails, battery wear models, soft floors, held power,
// shortfall cap or centring; and at most kMaxSpreadSteps steps (two days of quarter hours: each Newton step
// solves a dense steps x steps system, each pass orders the steps of every window priced as a class).
inline constexpr int kMaxSpreadSteps = 192;
bool spread_splittable(const PlanningProblem& p);
// And for a split in which its cars may discharge: those that may are lossless both ways (their stored
// energy is then linear in their power) and may charge too.
bool spread_discharge_splittable(const PlanningProblem& p);

enum class SpreadDischarge {
  kNone,          // every car only charges (spread_splittable fleets)
  kWhereAllowed,  // cars that may discharge do (spread_discharge_splittable fleets)
};

// Every car within its power box (step means, partial steps included), its energy within its window at every
// step, and leaving with between the smaller of its target and what it can reach, and its ceiling. Stops once
// the profile is met within tolerance_kw, or with the split of the least residual seen when its residual
// stops shrinking (a profile the fleet cannot follow, or one off by its rounding) or after max_passes:
// worst_kw says which. nullopt for a fleet it does not apply to.
std::optional<SpreadSplit> spread_split(const PlanningProblem& p, std::span<const double> profile_kw,
                                        double tolerance_kw,
                                        SpreadDischarge discharge = SpreadDischarge::kNone,
                                        int max_passes = 100);

}  // namespace voltpool
