#include "sim/vehicle_health.hpp"

#include <algorithm>
#include <map>
#include <numeric>
#include <unordered_map>

namespace voltpool {

namespace {

// A vehicle's state of charge at the end of every grid step of the run (index 0: the start).
std::vector<double> soc_series(const SimulationInput& in, const SimulationResult& r, const std::vector<size_t>& sessions) {
  const int steps = in.grid.steps;
  std::vector<double> soc(static_cast<size_t>(steps) + 1, 0.0);
  auto arrival_soc = [&](size_t s) { return in.sessions[s].arrival_energy_kwh / in.sessions[s].capacity_kwh; };
  double held = arrival_soc(sessions.front());
  int at = 0;  // soc[0..at] written
  soc[0] = held;
  for (size_t s : sessions) {
    const PlugSession& ps = in.sessions[s];
    const int first = r.meter.first_step[s];
    // Parked (or driving) until this arrival: the departure SoC held, then the arrival's.
    for (; at < first; ++at) soc[static_cast<size_t>(at) + 1] = at + 1 < first ? held : arrival_soc(s);
    double e = ps.arrival_energy_kwh;
    if (first == 0) soc[0] = arrival_soc(s);
    auto log = r.meter.of(s);
    // A session inside an earlier one of the same car (data that overlaps) only continues the series where it
    // runs past it, and only the one that ends last sets the SoC held afterwards.
    const bool ends_last = first + static_cast<int>(log.size()) > at;
    for (size_t k = 0; k < log.size(); ++k) {
      double kw = log[k];
      e += (kw >= 0 ? kw * ps.charge_efficiency : kw / ps.discharge_efficiency) * in.grid.dt_h();
      int step = first + static_cast<int>(k);
      if (step + 1 > at) {
        soc[static_cast<size_t>(step) + 1] = std::clamp(e / ps.capacity_kwh, 0.0, 1.0);
        at = step + 1;
      }
    }
    if (ends_last) held = std::clamp(e / ps.capacity_kwh, 0.0, 1.0);
  }
  for (; at < steps; ++at) soc[static_cast<size_t>(at) + 1] = held;
  return soc;
}

// The fade rates of each day of a state-of-charge series, its length (1, or less for a run's last part-day)
// and its equivalent full cycles.
struct Day {
  FadeRates rates;
  double efc = 0;
  double days = 1;
};

class DayRates {
 public:
  DayRates(const HealthOptions& o, int steps_per_day, double step_s) : o_(o), steps_per_day_(steps_per_day) {
    cycle_.t_s.resize(static_cast<size_t>(steps_per_day) + 1);
    cycle_.soc.resize(cycle_.t_s.size());
    cycle_.temp_c.assign(cycle_.t_s.size(), o.temp_c);
    for (size_t k = 0; k < cycle_.t_s.size(); ++k) cycle_.t_s[k] = static_cast<double>(k) * step_s;
  }

  std::vector<Day> of(const std::vector<double>& soc) {
    std::vector<Day> days;
    const size_t per_day = static_cast<size_t>(steps_per_day_);
    size_t start = 0;
    for (; start + per_day < soc.size(); start += per_day) {
      std::copy(soc.begin() + static_cast<std::ptrdiff_t>(start),
                soc.begin() + static_cast<std::ptrdiff_t>(start + per_day + 1), cycle_.soc.begin());
      bool constant = std::all_of(cycle_.soc.begin(), cycle_.soc.end(), [&](double x) { return x == cycle_.soc[0]; });
      if (constant) {  // parked all day: the same rates for the same SoC
        auto it = parked_.find(cycle_.soc[0]);
        if (it == parked_.end()) it = parked_.emplace(cycle_.soc[0], rates()).first;
        days.push_back(it->second);
      } else {
        days.push_back(rates());
      }
    }
    if (start + 1 < soc.size()) {  // the part-day left at the end
      DutyCycle part;
      part.t_s.assign(cycle_.t_s.begin(), cycle_.t_s.begin() + static_cast<std::ptrdiff_t>(soc.size() - start));
      part.soc.assign(soc.begin() + static_cast<std::ptrdiff_t>(start), soc.end());
      part.temp_c.assign(part.t_s.size(), o_.temp_c);
      Stressors s = extract_stressors(part);
      days.push_back(Day{fade_rates(o_.model, part, s), s.delta_efc, part.t_s.back() / 86400.0});
    }
    return days;
  }

 private:
  Day rates() {
    Stressors s = extract_stressors(cycle_);
    return Day{fade_rates(o_.model, cycle_, s), s.delta_efc, 1.0};
  }

  const HealthOptions& o_;
  int steps_per_day_;
  DutyCycle cycle_;
  std::map<double, Day> parked_;
};

double pack_loss_pct(const AgingState& state) { return (1.0 - state.relative_capacity()) * kPackFadeFactor * 100.0; }

}  // namespace

std::vector<VehicleHealth> vehicle_health(const SimulationInput& in, const SimulationResult& r, const HealthOptions& o) {
  // Sessions per vehicle, in arrival order.
  std::vector<size_t> order(in.sessions.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return r.meter.first_step[a] < r.meter.first_step[b]; });
  std::unordered_map<std::string, size_t> index;
  std::vector<std::vector<size_t>> sessions_of;
  std::vector<VehicleHealth> out;
  for (size_t s : order) {
    const PlugSession& ps = in.sessions[s];
    std::string id = ps.vehicle_id.empty() ? "session:" + ps.id : ps.vehicle_id;
    auto [it, added] = index.emplace(id, out.size());
    if (added) {
      out.push_back(VehicleHealth{id, 0, ps.capacity_kwh, 0, 0, 0});
      sessions_of.emplace_back();
    }
    VehicleHealth& v = out[it->second];
    ++v.sessions;
    v.cost_eur += r.sessions[s].cost_eur;
    sessions_of[it->second].push_back(s);
  }

  const double step_s = static_cast<double>(in.grid.step.count());
  const int steps_per_day = static_cast<int>(86400 / in.grid.step.count());
  DayRates day_rates(o, steps_per_day, step_s);
  for (size_t v = 0; v < out.size(); ++v) {
    std::vector<Day> days = day_rates.of(soc_series(in, r, sessions_of[v]));
    if (days.empty()) continue;
    AgingState state;
    for (const Day& d : days) age(state, d.rates, d.days, d.efc);
    out[v].capacity_loss_pct = pack_loss_pct(state);
    // The long view: the run's days repeated until `years` of days have passed.
    const double total = o.years * 365.0;
    for (size_t k = 0; state.days + 1e-9 < total; ++k) {
      const Day& d = days[k % days.size()];
      double dt = std::min(d.days, total - state.days);
      age(state, d.rates, dt, d.efc * dt / d.days);
    }
    out[v].capacity_loss_years_pct = pack_loss_pct(state);
  }
  return out;
}

double wear_eur(const VehicleHealth& v, double capacity_value_eur_per_kwh) {
  return v.capacity_loss_pct / 100.0 * v.capacity_kwh * capacity_value_eur_per_kwh;
}

std::vector<OwnerOutcome> owner_outcomes(const std::vector<VehicleHealth>& run,
                                         const std::vector<VehicleHealth>& baseline,
                                         double capacity_value_eur_per_kwh) {
  std::unordered_map<std::string, const VehicleHealth*> base;
  for (const VehicleHealth& b : baseline) base.emplace(b.vehicle_id, &b);
  std::vector<OwnerOutcome> out;
  for (const VehicleHealth& v : run) {
    auto it = base.find(v.vehicle_id);
    if (it == base.end()) continue;
    OwnerOutcome o{v, *it->second};
    o.saved_eur = o.baseline.cost_eur - o.run.cost_eur;
    o.extra_wear_eur = wear_eur(o.run, capacity_value_eur_per_kwh) - wear_eur(o.baseline, capacity_value_eur_per_kwh);
    o.net_gain_eur = o.saved_eur - o.extra_wear_eur;
    out.push_back(o);
  }
  return out;
}

}  // namespace voltpool
