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

struct FleetEnvelope {
  std::vector<double> up_kw;            // most power the fleet can draw in the step
  std::vector<double> down_kw;          // least (negative: most it can deliver)
  std::vector<double> energy_lo_kwh;    // least energy taken in since the start, at the step's end
  std::vector<double> energy_hi_kwh;    // most
};
FleetEnvelope fleet_envelope(const PlanningProblem& p);

}  // namespace voltpool
