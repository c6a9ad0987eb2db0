// One battery behind one connection point for one time step: the requested grid power is clamped to the
// power limits and to the energy window [e_min, e_max], and the energy moves with the charge/discharge
// efficiencies. Every kWh is accounted for: grid energy = stored energy + losses, exactly.
#pragma once

namespace voltpool {

struct BatteryLimits {
  double e_min_kwh = 0;  // never discharge below (the owner's minimum kept)
  double e_max_kwh = 0;  // never charge above (the owner's ceiling, at most the usable capacity)
  double charge_max_kw = 0;     // grid side
  double discharge_max_kw = 0;  // grid side; 0 without V2G consent or hardware
  double charge_efficiency = 1;
  double discharge_efficiency = 1;
};

struct StepOutcome {
  double grid_kw = 0;             // what flowed, + into the vehicle
  double grid_energy_kwh = 0;     // grid_kw * dt_h
  double stored_delta_kwh = 0;    // change of the battery's energy
  double loss_kwh = 0;            // grid_energy_kwh - stored_delta_kwh, always >= 0
};

// Applies `requested_grid_kw` for `dt_h` hours to `energy_kwh` (updated in place). dt_h may be a fraction of
// a step (a car that arrives or leaves mid-step). A battery outside its window is only moved towards it.
StepOutcome apply_power(const BatteryLimits& limits, double& energy_kwh, double requested_grid_kw, double dt_h);

}  // namespace voltpool
