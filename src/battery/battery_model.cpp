#include "battery/battery_model.hpp"

#include <algorithm>

namespace voltpool {

StepOutcome apply_power(const BatteryLimits& limits, double& energy_kwh, double requested_grid_kw, double dt_h) {
  StepOutcome out;
  if (dt_h <= 0) return out;
  double p = 0;
  double new_energy = energy_kwh;
  if (requested_grid_kw > 0) {
    double headroom_kwh = std::max(0.0, limits.e_max_kwh - energy_kwh);
    double p_headroom = headroom_kwh / (limits.charge_efficiency * dt_h);
    p = std::min({requested_grid_kw, limits.charge_max_kw, p_headroom});
    p = std::max(p, 0.0);
    new_energy = (p == p_headroom) ? std::max(energy_kwh, limits.e_max_kwh)
                                   : energy_kwh + p * limits.charge_efficiency * dt_h;
  } else if (requested_grid_kw < 0) {
    double available_kwh = std::max(0.0, energy_kwh - limits.e_min_kwh);
    double p_available = available_kwh * limits.discharge_efficiency / dt_h;
    double magnitude = std::min({-requested_grid_kw, limits.discharge_max_kw, p_available});
    magnitude = std::max(magnitude, 0.0);
    p = -magnitude;
    new_energy = (magnitude == p_available) ? std::min(energy_kwh, limits.e_min_kwh)
                                            : energy_kwh - magnitude / limits.discharge_efficiency * dt_h;
  }
  out.grid_kw = p;
  out.grid_energy_kwh = p * dt_h;
  out.stored_delta_kwh = new_energy - energy_kwh;
  out.loss_kwh = out.grid_energy_kwh - out.stored_delta_kwh;
  energy_kwh = new_energy;
  return out;
}


}  // namespace voltpool
