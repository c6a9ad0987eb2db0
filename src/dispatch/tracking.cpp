#include "dispatch/tracking.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>

#include "battery/battery_model.hpp"

namespace voltpool {

TrackingResult track_signal(const TrackingScenario& sc) {
  const PlanningProblem& p = *sc.problem;
  const Plan& plan = *sc.plan;
  const PlanVehicles& v = p.vehicles;
  const size_t n = v.size();
  const double step_s = p.dt_h * 3600.0, cycle_s = sc.config.cycle_s, cycle_h = cycle_s / 3600.0;
  const double t0 = sc.start_step * step_s;
  const size_t cycles = sc.signal.size();
  TrackingResult out;

  auto planned_kw = [&](size_t i, double t) {
    int k = static_cast<int>(std::floor(t / step_s)) - v.first_step[i];
    return k >= 0 && k < v.window(i) ? plan.kw[plan.offset[i] + static_cast<size_t>(k)] : 0.0;
  };
  auto plugged = [&](size_t i, double t) { return t >= v.first_step[i] * step_s && t < v.end_step[i] * step_s; };
  auto limits = [&](size_t i) {
    return BatteryLimits{v.e_min_kwh[i], v.e_max_kwh[i], v.charge_max_kw[i], v.discharge_max_kw[i], v.eta_charge[i],
                         v.eta_discharge[i]};
  };

  // Energy at the start: the plan followed from arrival.
  std::vector<double> energy(v.e0_kwh);
  for (size_t i = 0; i < n; ++i) {
    for (int k = 0; k < v.window(i) && v.first_step[i] + k < sc.start_step; ++k) {
      apply_power(limits(i), energy[i], plan.kw[plan.offset[i] + static_cast<size_t>(k)], p.dt_h);
    }
  }
  const std::vector<double> energy_at_start = energy;
  // Who drops out, and when.
  std::mt19937_64 rng(sc.seed);
  std::uniform_real_distribution<double> u(0, 1);
  const double t_end = t0 + static_cast<double>(cycles) * cycle_s;
  std::vector<double> silent_at(n, 1e300), leave_at(n, 1e300);
  for (size_t i = 0; i < n; ++i) {
    bool present = v.first_step[i] * step_s < t_end && v.end_step[i] * step_s > t0;
    if (!present || u(rng) >= sc.dropout_fraction) continue;
    double from = std::max(t0, v.first_step[i] * step_s), to = std::min(t_end, v.end_step[i] * step_s);
    double at = from + u(rng) * (to - from);
    (u(rng) < 0.5 ? silent_at[i] : leave_at[i]) = at;
    (silent_at[i] < 1e300 ? out.cars_silent : out.cars_left_early)++;
  }
  std::vector<double> compliance(n);
  for (auto& c : compliance) c = sc.compliance_min + (1 - sc.compliance_min) * u(rng);

  DispatchFleet fleet;
  fleet.resize(n);
  for (size_t i = 0; i < n; ++i) {
    fleet.charge_max_kw[i] = v.charge_max_kw[i];
    fleet.discharge_max_kw[i] = v.discharge_max_kw[i];
    fleet.ramp_kw_per_s[i] = sc.ramp_kw_per_s;
    fleet.e_min_kwh[i] = v.e_min_kwh[i];
    fleet.e_max_kwh[i] = v.e_max_kwh[i];
    fleet.target_kwh[i] = v.target_kwh[i];
    fleet.eta_charge[i] = v.eta_charge[i];
    fleet.eta_discharge[i] = v.eta_discharge[i];
    fleet.departure_s[i] = v.end_step[i] * step_s;
    fleet.last_setpoint_kw[i] = planned_kw(i, t0);
  }
  std::vector<double> actual(n), command(n);
  for (size_t i = 0; i < n; ++i) actual[i] = plugged(i, t0) ? planned_kw(i, t0) : 0.0;
  std::vector<std::vector<double>> pending(static_cast<size_t>(std::max(1, sc.latency_cycles)), std::vector<double>(n));
  for (auto& q : pending) q = actual;
  std::vector<int> silent_for(n, 0);

  for (size_t k = 0; k < cycles; ++k) {
    const double t = t0 + static_cast<double>(k) * cycle_s;
    double baseline = 0;
    for (size_t i = 0; i < n; ++i) {
      bool here = plugged(i, t) && t < leave_at[i];
      double planned = planned_kw(i, t);
      baseline += planned;
      bool silent = t >= silent_at[i];
      silent_for[i] = silent ? silent_for[i] + 1 : 0;
      fleet.baseline_kw[i] = here ? planned : 0.0;
      fleet.energy_kwh[i] = energy[i];
      // Telemetry: the dispatcher knows a car's power unless it is silent; a car silent long enough is held.
      fleet.available[i] = here && silent_for[i] < sc.silent_cycles_to_unavailable;
      if (!here) fleet.last_setpoint_kw[i] = 0.0;
      else if (!silent) fleet.last_setpoint_kw[i] = actual[i];
    }
    double fleet_setpoint = baseline + sc.capacity_kw * sc.signal[k];
    auto c0 = std::chrono::steady_clock::now();
    dispatch_cycle(fleet, t, fleet_setpoint, sc.config, command);
    out.cycle_us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - c0).count());
    // Commands take effect latency_cycles later; silent cars ignore them; cars deliver part of a change.
    auto& due = pending[k % pending.size()];
    double fleet_kw = 0;
    for (size_t i = 0; i < n; ++i) {
      bool here = plugged(i, t) && t < leave_at[i];
      if (!here) {
        actual[i] = 0;
      } else if (t < silent_at[i]) {
        actual[i] += compliance[i] * (due[i] - actual[i]);
      }
      if (here) {
        StepOutcome o = apply_power(limits(i), energy[i], actual[i], cycle_h);
        actual[i] = o.grid_kw;
      }
      fleet_kw += actual[i];
    }
    due = command;
    out.t_s.push_back(t);
    out.signal_kw.push_back(sc.capacity_kw * sc.signal[k]);
    out.response_kw.push_back(fleet_kw - baseline);
  }

  // Energy reservoir at the start: room to absorb, and energy to give without endangering the owner's target.
  for (size_t i = 0; i < n; ++i) {
    if (!plugged(i, t0)) continue;
    double remaining_h = std::max(0.0, v.end_step[i] * step_s - t0 - sc.config.reserve_s) / 3600.0;
    double floor = std::max(v.e_min_kwh[i], v.target_kwh[i] - v.charge_max_kw[i] * v.eta_charge[i] * remaining_h);
    out.reservoir_up_kwh += std::max(0.0, v.e_max_kwh[i] - energy_at_start[i]) / v.eta_charge[i];
    out.reservoir_down_kwh += std::max(0.0, energy_at_start[i] - floor) * v.eta_discharge[i];
  }
  out.full_activation_minutes = 60 * std::min(out.reservoir_up_kwh, out.reservoir_down_kwh) / sc.capacity_kw;
  // Activation: after each setpoint change of at least 10 % of the capacity, the time until the response has
  // covered 90 % of it. A setpoint that moves on (by more than 1 % of the capacity) or a run that ends before
  // that is a missed activation, counted apart; so is one slower than 30 s.
  for (size_t k = 1; k < cycles; ++k) {
    double before = out.signal_kw[k - 1], after = out.signal_kw[k];
    if (std::abs(after - before) < 0.1 * sc.capacity_kw) continue;
    double start_response = out.response_kw[k - 1];
    size_t j = k;
    auto held = [&](size_t m) { return std::abs(out.signal_kw[m] - after) <= 0.01 * sc.capacity_kw; };
    while (j < cycles && held(j) &&
           std::abs(out.response_kw[j] - start_response) < 0.9 * std::abs(after - start_response)) {
      ++j;
    }
    ++out.activations;
    double elapsed_s = static_cast<double>(j - k + 1) * cycle_s;
    if (j < cycles && held(j)) {
      out.activation_time_s_max = std::max(out.activation_time_s_max, elapsed_s);
      if (elapsed_s > 30) ++out.activations_missed;
    } else {
      ++out.activations_missed;
    }
  }

  // Owners: every car that was here and did not leave early must still be able to reach its target by its
  // departure, charging at full power from the end of the signal (as the re-plan after it would).
  for (size_t i = 0; i < n; ++i) {
    bool was_here = v.first_step[i] * step_s < t_end && v.end_step[i] * step_s > t0;
    if (!was_here || leave_at[i] < 1e300) continue;
    double remaining_h = std::max(0.0, v.end_step[i] * step_s - t_end) / 3600.0;
    double reachable = std::min(v.e_max_kwh[i], energy[i] + v.charge_max_kw[i] * v.eta_charge[i] * remaining_h);
    // What the plan alone would have reached.
    double planned = v.e0_kwh[i];
    for (int s = 0; s < v.window(i); ++s) apply_power(limits(i), planned, plan.kw[plan.offset[i] + static_cast<size_t>(s)], p.dt_h);
    double goal = std::min(v.target_kwh[i], planned);
    if (reachable < goal - 1e-6) {
      ++out.cars_missed_target;
      out.shortfall_kwh += goal - reachable;
    }
  }

  // PJM score on 10-s averages, normalised by the capacity.
  const size_t per = static_cast<size_t>(std::lround(10.0 / cycle_s));
  std::vector<double> sig, resp;
  for (size_t k = 0; k + per <= cycles; k += per) {
    double s = 0, r = 0;
    for (size_t j = k; j < k + per; ++j) s += out.signal_kw[j], r += out.response_kw[j];
    sig.push_back(s / per / sc.capacity_kw);
    resp.push_back(r / per / sc.capacity_kw);
  }
  size_t hour = std::min<size_t>(sig.size(), 360);
  if (hour >= 2) out.score = pjm_score(std::span(sig).first(hour), resp);
  return out;
}

}  // namespace voltpool
