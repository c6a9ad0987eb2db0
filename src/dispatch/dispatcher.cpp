#include "dispatch/dispatcher.hpp"

#include <algorithm>
#include <cassert>
#include <limits>

namespace voltpool {

void DispatchFleet::resize(size_t n) {
  for (auto* v : {&baseline_kw, &charge_max_kw, &discharge_max_kw, &ramp_kw_per_s, &energy_kwh, &e_min_kwh, &e_max_kwh,
                  &target_kwh, &eta_charge, &eta_discharge, &departure_s, &last_setpoint_kw})
    v->resize(n, 0.0);
  discharge_left_kwh.resize(n, std::numeric_limits<double>::infinity());
  available.resize(n, 1);
}

CycleOutcome dispatch_cycle(const DispatchFleet& f, double now_s, double fleet_setpoint_kw, const DispatchConfig& cfg,
                            std::span<double> setpoint) {
  const size_t n = f.size();
  assert(setpoint.size() == n);
  const double dt_h = cfg.cycle_s / 3600.0;
  CycleOutcome out;
  out.setpoint_kw = fleet_setpoint_kw;
  // Pass 1: each car's range, its planned power clamped into it, and the fleet's sums.
  double base_sum = 0, up_room = 0, down_room = 0, held = 0;
  thread_local std::vector<double> lo_v, hi_v;
  lo_v.resize(n);
  hi_v.resize(n);
  for (size_t i = 0; i < n; ++i) {
    if (!f.available[i]) {
      setpoint[i] = f.last_setpoint_kw[i];
      held += setpoint[i];
      lo_v[i] = hi_v[i] = setpoint[i];
      continue;
    }
    double ramp = f.ramp_kw_per_s[i] * cfg.cycle_s;
    double lo = std::max(-f.discharge_max_kw[i], f.last_setpoint_kw[i] - ramp);
    double hi = std::min(f.charge_max_kw[i], f.last_setpoint_kw[i] + ramp);
    double e = f.energy_kwh[i];
    hi = std::min(hi, std::max(0.0, (f.e_max_kwh[i] - e) / (f.eta_charge[i] * dt_h)));
    lo = std::max(lo, -std::max(0.0, (e - f.e_min_kwh[i]) * f.eta_discharge[i] / dt_h));
    lo = std::max(lo, -std::max(0.0, f.discharge_left_kwh[i]) / dt_h);  // the owner's discharge cap
    // Departure reserve: still able to reach the target at full power with reserve_s less time.
    double remaining_h = std::max(0.0, f.departure_s[i] - now_s - cfg.cycle_s - cfg.reserve_s) / 3600.0;
    double slack_kwh = e - (f.target_kwh[i] - f.charge_max_kw[i] * f.eta_charge[i] * remaining_h);
    lo = std::max(lo, slack_kwh < 0 ? -slack_kwh / (f.eta_charge[i] * dt_h) : -slack_kwh * f.eta_discharge[i] / dt_h);
    if (lo > hi) lo = hi;  // at risk already: as much charge as it can take
    lo_v[i] = lo;
    hi_v[i] = hi;
    double b = std::clamp(f.baseline_kw[i], lo, hi);
    setpoint[i] = b;
    base_sum += b;
    up_room += hi - b;
    down_room += b - lo;
  }
  out.lowest_kw = held + base_sum - down_room;
  out.highest_kw = held + base_sum + up_room;
  // Pass 2: share the difference in proportion to headroom.
  double diff = fleet_setpoint_kw - held - base_sum;
  if (diff > 0 && up_room > 0) {
    double a = std::min(1.0, diff / up_room);
    for (size_t i = 0; i < n; ++i) {
      if (f.available[i]) setpoint[i] += a * (hi_v[i] - setpoint[i]);
    }
  } else if (diff < 0 && down_room > 0) {
    double a = std::min(1.0, -diff / down_room);
    for (size_t i = 0; i < n; ++i) {
      if (f.available[i]) setpoint[i] -= a * (setpoint[i] - lo_v[i]);
    }
  }
  for (size_t i = 0; i < n; ++i) out.assigned_kw += setpoint[i];
  return out;
}

}  // namespace voltpool
