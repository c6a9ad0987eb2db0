// Battery wear in money, in a form a linear program can carry exactly. From a cell model's rates at the
// battery's present age (its capacity-loss trajectories are power laws, so the loss they add next depends on
// how far along them the battery already is), two marginal costs:
//  - calendar: EUR per hour parked at a state of charge, as a convex piecewise-linear function (the greatest
//    convex minorant of the model's curve sampled every 5 % SoC from 10 % to 100 %), so an LP's epigraph of it
//    is exact; the model's rate steps up between the anode's potential plateaus, which no convex function
//    follows, so the form is up to 16 % of the highest rate below the model there (wear_cost_test);
//  - cycling: EUR per kWh moved through the battery (charge or discharge), at the model's rate for the
//    battery's typical daily depth of discharge and C-rate.
// Money = capacity lost (fraction) x usable capacity x the value of a kWh of capacity (EUR), x the pack factor.
#pragma once

#include <utility>
#include <vector>

#include "battery/degradation.hpp"

namespace voltpool {

struct WearParams {
  CellModel model = CellModel::kNmcGr75AhA;
  double temp_c = 25;
  double capacity_kwh = 75;
  double capacity_value_eur_per_kwh = 100;  // what a kWh of usable capacity is worth to the owner
  double age_days = 365;                    // how far along its calendar trajectory the battery is
  double efc_so_far = 150;                  // and its cycle trajectory
  double typical_dod = 0.5;
  double typical_crate = 0.1;
};

struct WearRates {
  // Lines (EUR/h per unit SoC, EUR/h): the calendar cost at SoC s is the maximum over them of slope * s + intercept.
  std::vector<std::pair<double, double>> calendar_lines;
  double cycle_eur_per_kwh = 0;  // per kWh of battery-side throughput

  double calendar_eur_per_h(double soc) const;
};

WearRates linearise_wear(const WearParams& params);

// The model's own marginal calendar cost at a SoC (what the lines approximate from below).
double calendar_eur_per_h(const WearParams& params, double soc);

}  // namespace voltpool
