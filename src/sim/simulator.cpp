#include "sim/simulator.hpp"

#include <algorithm>
#include <cassert>
#include <numeric>

namespace voltpool {

double presence_fraction(const TimeGrid& grid, int64_t t, UtcTime from, UtcTime to) {
  UtcTime a = std::max(grid.time_of(t), from), b = std::min(grid.time_of(t + 1), to);
  if (b <= a) return 0;
  return static_cast<double>((b - a).count()) / static_cast<double>(grid.step.count());
}

namespace {

PlannerVehicle planner_view(const TimeGrid& grid, const PlugSession& s, int index) {
  PlannerVehicle v;
  v.session = index;
  v.arrival_step = static_cast<int>(grid.step_containing(s.arrival));
  UtcTime est = std::max(s.needs.est_departure, s.arrival + Seconds{1});
  v.est_departure_step = static_cast<int>(grid.first_step_at_or_after(est));
  v.first_fraction = presence_fraction(grid, v.arrival_step, s.arrival, est);
  v.last_fraction = presence_fraction(grid, v.est_departure_step - 1, s.arrival, est);
  v.limits = s.limits();
  v.capacity_kwh = s.capacity_kwh;
  v.v2g = s.needs.v2g_consent;
  return v;
}

// Scales the positive (or negative) entries so their sum stays within `limit`; returns true if it scaled.
bool scale_to_limit(std::vector<double>& kw, double limit, bool charging) {
  double total = 0;
  for (double p : kw) total += charging ? std::max(p, 0.0) : std::max(-p, 0.0);
  if (total <= limit + 1e-6) return false;  // planners meet limits to solver tolerance
  double f = limit / total;
  for (double& p : kw) {
    if ((charging && p > 0) || (!charging && p < 0)) p *= f;
  }
  return true;
}

}  // namespace

SimulationResult simulate(const SimulationInput& in, Strategy& strategy, const ProgressFn& progress) {
  const TimeGrid& grid = in.grid;
  const size_t n = in.sessions.size();
  const int steps = grid.steps;
  assert(static_cast<int>(in.price_eur_per_kwh.size()) == steps);
  const auto& export_price = in.export_price_eur_per_kwh.empty() ? in.price_eur_per_kwh : in.export_price_eur_per_kwh;

  // Sessions by arrival, and each session's real first and last step.
  std::vector<int> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return in.sessions[a].arrival < in.sessions[b].arrival; });
  SimulationResult out;
  out.fleet_kw.assign(steps, 0);
  out.cost_eur.assign(steps, 0);
  out.co2_kg.assign(steps, 0);
  out.sessions.resize(n);
  out.meter.first_step.resize(n);
  out.meter.offset.assign(n + 1, 0);
  std::vector<int> last_step(n);
  std::vector<PlannerVehicle> vehicles(n);
  std::vector<double> energy(n);
  for (size_t i = 0; i < n; ++i) {
    const PlugSession& s = in.sessions[i];
    int first = static_cast<int>(grid.step_containing(s.arrival));
    int last = std::max(first, static_cast<int>(grid.first_step_at_or_after(s.departure)) - 1);
    assert(first >= 0 && last < steps);
    out.meter.first_step[i] = first;
    last_step[i] = last;
    energy[i] = s.arrival_energy_kwh;
  }
  for (size_t i = 0; i < n; ++i) {
    out.meter.offset[i + 1] = out.meter.offset[i] + static_cast<size_t>(last_step[i] - out.meter.first_step[i] + 1);
  }
  out.meter.kw.assign(out.meter.offset[n], 0);

  // Prices are published in step order (day-ahead): at step s the prices of steps [0, known_until_at[s]) are known.
  std::vector<int> known_until_at(steps + 1, 0);  // prices [0, k) known at step s
  {
    int k = 0;
    for (int s = 0; s < steps; ++s) {
      while (k < steps && (in.price_published_step.empty() || in.price_published_step[k] <= s)) ++k;
      known_until_at[s] = k;
    }
  }

  std::vector<int> plugged, arrived, departed, still;
  std::vector<double> requested, feasible_kw;
  size_t next_arrival = 0;
  const double dt_h = grid.dt_h();
  for (int t = 0; t < steps; ++t) {
    arrived.clear();
    departed.clear();
    still.clear();
    for (int i : plugged) (last_step[i] < t ? departed : still).push_back(i);
    plugged.swap(still);
    while (next_arrival < n && out.meter.first_step[order[next_arrival]] <= t) {
      int i = order[next_arrival++];
      vehicles[i] = planner_view(grid, in.sessions[i], i);
      arrived.push_back(i);
      plugged.push_back(i);
    }
    std::sort(plugged.begin(), plugged.end());

    StepView view;
    view.step = t;
    view.grid = &grid;
    view.plugged = plugged;
    view.arrived = arrived;
    view.departed = departed;
    view.vehicles = vehicles;
    view.energy_kwh = energy;
    view.known_price_eur_per_kwh = std::span(in.price_eur_per_kwh).first(known_until_at[t]);
    view.known_export_price_eur_per_kwh = std::span(export_price).first(known_until_at[t]);
    view.site = in.site;
    requested.assign(plugged.size(), 0);
    strategy.decide(view, requested);

    // What each car can really do this step (dry run), then the site guard, then the real step.
    feasible_kw.resize(plugged.size());
    for (size_t k = 0; k < plugged.size(); ++k) {
      int i = plugged[k];
      const PlugSession& s = in.sessions[i];
      double frac = presence_fraction(grid, t, s.arrival, s.departure);
      double e = energy[i];
      feasible_kw[k] = apply_power(s.limits(), e, requested[k], frac * dt_h).grid_kw * frac;  // step mean
    }
    if (in.enforce_site_limit) {
      bool scaled = scale_to_limit(feasible_kw, in.site.import_kw, true);
      scaled |= scale_to_limit(feasible_kw, in.site.export_kw, false);
      out.steps_site_limited += scaled;
    }

    double carbon = in.carbon_kg_per_kwh.empty() ? 0.0 : in.carbon_kg_per_kwh[t];
    for (size_t k = 0; k < plugged.size(); ++k) {
      int i = plugged[k];
      const PlugSession& s = in.sessions[i];
      double frac = presence_fraction(grid, t, s.arrival, s.departure);
      double mean_kw = 0;
      if (frac > 0) {
        StepOutcome o = apply_power(s.limits(), energy[i], feasible_kw[k] / frac, frac * dt_h);
        mean_kw = o.grid_kw * frac;
        SessionOutcome& so = out.sessions[i];
        double e_kwh = o.grid_energy_kwh;
        double price = e_kwh >= 0 ? in.price_eur_per_kwh[t] : export_price[t];
        (e_kwh >= 0 ? so.import_kwh : so.export_kwh) += std::abs(e_kwh);
        so.cost_eur += price * e_kwh;
        so.co2_kg += carbon * e_kwh;
        out.cost_eur[t] += price * e_kwh;
        out.co2_kg[t] += carbon * e_kwh;
      }
      out.meter.kw[out.meter.offset[i] + static_cast<size_t>(t - out.meter.first_step[i])] = mean_kw;
      out.fleet_kw[t] += mean_kw;
    }
    if (progress && (t % 256 == 0 || t + 1 == steps)) progress(t + 1, steps);
  }

  for (size_t i = 0; i < n; ++i) {
    const PlugSession& s = in.sessions[i];
    SessionOutcome& so = out.sessions[i];
    so.need_kwh = std::max(0.0, s.need_kwh());
    double plugged_h = std::chrono::duration<double, std::ratio<3600>>(s.departure - s.arrival).count();
    so.feasible_kwh = std::min(so.need_kwh, s.charge_max_kw * s.charge_efficiency * plugged_h);
    so.final_energy_kwh = energy[i];
    so.delivered_kwh = energy[i] - s.arrival_energy_kwh;
    so.left_before_estimate = s.departure < s.needs.est_departure;
  }
  return out;
}

}  // namespace voltpool
