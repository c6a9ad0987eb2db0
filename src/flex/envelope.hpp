// The fleet as one battery: per step, the most power it can absorb and deliver and the energy it can have taken
// in, each computed exactly as the sum over the vehicles (the maximum of a linear function over a Minkowski sum
// of convex sets is the sum of the maxima), with every owner's window, minimum, ceiling and target respected.
// Each bound holds for that step alone: following the envelope at several steps at once may still be
// impossible, which follow_profile (plan/) decides.
#pragma once

#include <span>
#include <vector>

#include "plan/problem.hpp"

namespace voltpool {

// One vehicle: the range of its step-mean power at each window step when the other steps are free, and the
// range of its stored energy (relative to arrival) at the end of each window step.
struct VehicleFlex {
  std::vector<double> power_lo_kw, power_hi_kw;
  std::vector<double> energy_lo_kwh, energy_hi_kwh;
};
VehicleFlex vehicle_flex(const PlanningProblem& p, size_t vehicle);
// What vehicle i must have taken in (battery side, relative to arrival) by its departure: its target, or all it
// can reach when that is less, never above its ceiling nor below its floor.
double departure_floor_kwh(const PlanningProblem& p, size_t vehicle);
// All vehicle i can take in (battery side) charging at its most over its whole window.
double charge_reach_kwh(const PlanningProblem& p, size_t vehicle);
// The same into `out`, reusing its storage (no allocation once warm).
void vehicle_flex(const PlanningProblem& p, size_t vehicle, VehicleFlex& out);

struct FleetEnvelope {
  std::vector<double> up_kw;            // most power the fleet can draw in the step
  std::vector<double> down_kw;          // least (negative: most it can deliver)
  std::vector<double> energy_lo_kwh;    // least energy taken in since the start, at the step's end
  std::vector<double> energy_hi_kwh;    // most
};
FleetEnvelope fleet_envelope(const PlanningProblem& p);
// The same per limit group: [0] the whole fleet, [f + 1] the vehicles behind feeder f (nested feeders included).
std::vector<FleetEnvelope> group_envelopes(const PlanningProblem& p);

// The envelope kept up to date as cars come and go: each event touches only that car's steps (O(window)).
// Vehicles are those of `problem` (add them there first); the tracker holds a reference to it.
class EnvelopeTracker {
 public:
  explicit EnvelopeTracker(const PlanningProblem& problem);
  const FleetEnvelope& envelope() const { return env_; }
  // A car plugs in (its vehicle index in the problem).
  void add(size_t vehicle) { apply(vehicle, +1.0); }
  // A car leaves, or is about to change (remove, change the problem's entry, add).
  void remove(size_t vehicle) { apply(vehicle, -1.0); }

 private:
  void apply(size_t vehicle, double sign);
  const PlanningProblem& p_;
  FleetEnvelope env_;
  VehicleFlex scratch_;
};

}  // namespace voltpool
