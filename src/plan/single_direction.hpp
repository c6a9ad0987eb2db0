// A charger takes one power per step, but an LP over separate charge and discharge variables (and a convex
// combination of responses) may both charge and discharge a car in one step, which with efficiencies < 1 sheds
// energy as losses. This turns such plans into one power per vehicle-step.
#pragma once

#include <vector>

#include "plan/problem.hpp"

namespace voltpool {

// The power that leaves the battery where charging charge_kw and discharging discharge_kw (both >= 0, grid
// side) in the same step would: the site imports less, or exports more, by the losses the two would have shed.
double single_direction_kw(double charge_kw, double discharge_kw, double eta_charge, double eta_discharge);

// Sets plan.kw (laid out by plan.offset) from each vehicle-step's charging and discharging. A step that does
// both takes single_direction_kw, unless its group's power must stay as planned (a followed profile, a held
// power, or an export limit the extra export would break): then it keeps the net grid power (charge -
// discharge) and the battery keeps what it would have shed, where its ceiling allows for the rest of the
// window. Counts the steps that did both in plan.simultaneous_steps. Callers derive what they report about
// the fleet's power (deviation from a profile, the power held) from plan.kw afterwards.
void set_single_direction(const PlanningProblem& p, const std::vector<double>& charge_kw,
                          const std::vector<double>& discharge_kw, Plan& plan);

}  // namespace voltpool
