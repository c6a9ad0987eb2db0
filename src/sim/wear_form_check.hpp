// How close the planner's convex wear form (battery/wear_cost) is to the cell model on a real run: both
// evaluated on the SoC every session had while plugged in (each metered step as a whole step), at the battery
// age in WearParams. The cycling part is the same rate in both; the calendar part is the form's convex lines
// against the model's own rate at each SoC.
#pragma once

#include "battery/wear_cost.hpp"
#include "sim/simulator.hpp"

namespace voltpool {

struct WearFormCheck {
  double form_calendar_eur = 0;   // the planner's convex form
  double model_calendar_eur = 0;  // the model's marginal calendar rate
  double cycling_eur = 0;         // both
};

WearFormCheck check_wear_form(const SimulationInput& input, const SimulationResult& result, const WearParams& params);

}  // namespace voltpool
