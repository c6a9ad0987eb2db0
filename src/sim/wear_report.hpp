// Battery wear of a simulated run, per plug-in session, with the full cell model (not the planner's convex
// form): the calendar cost of each step at the SoC the car really had, and the cycling cost of the energy it
// really moved, in money and in percentage points of capacity.
#pragma once

#include <vector>

#include "battery/wear_cost.hpp"
#include "sim/simulator.hpp"

namespace voltpool {

struct SessionWear {
  double eur = 0;
  double capacity_pct_points = 0;  // capacity lost, in points of usable capacity
};

// `params` gives the model, temperature, value and age; each session's own capacity is used.
std::vector<SessionWear> session_wear(const SimulationInput& input, const SimulationResult& result, const WearParams& params);

}  // namespace voltpool
