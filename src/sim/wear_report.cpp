#include "sim/wear_report.hpp"

#include <algorithm>
#include <cmath>
#include <map>

namespace voltpool {

std::vector<SessionWear> session_wear(const SimulationInput& in, const SimulationResult& r, const WearParams& params) {
  struct Tables {
    std::vector<double> calendar_eur_per_h;  // by SoC in 1 % steps
    double cycle_eur_per_kwh = 0;
    double eur_per_pct_point = 0;
  };
  std::map<double, Tables> by_capacity;  // the model's curve, sampled once per battery size
  auto tables = [&](double capacity_kwh) -> const Tables& {
    auto it = by_capacity.find(capacity_kwh);
    if (it != by_capacity.end()) return it->second;
    WearParams w = params;
    w.capacity_kwh = capacity_kwh;
    Tables t;
    for (int i = 0; i <= 100; ++i) t.calendar_eur_per_h.push_back(calendar_eur_per_h(w, i / 100.0));
    t.cycle_eur_per_kwh = linearise_wear(w).cycle_eur_per_kwh;
    t.eur_per_pct_point = capacity_kwh * w.capacity_value_eur_per_kwh * kPackFadeFactor / 100.0;
    return by_capacity.emplace(capacity_kwh, std::move(t)).first->second;
  };
  const double dt_h = in.grid.dt_h();
  std::vector<SessionWear> out(in.sessions.size());
  for (size_t i = 0; i < in.sessions.size(); ++i) {
    const PlugSession& s = in.sessions[i];
    const Tables& t = tables(s.capacity_kwh);
    double e = s.arrival_energy_kwh, eur = 0;
    auto log = r.meter.of(i);
    for (size_t k = 0; k < log.size(); ++k) {
      double kw = log[k];
      double stored = kw >= 0 ? kw * s.charge_efficiency * dt_h : kw / s.discharge_efficiency * dt_h;
      e += stored;
      double soc = std::clamp(e / s.capacity_kwh, 0.0, 1.0) * 100.0;
      size_t lo = static_cast<size_t>(std::floor(soc)), hi = std::min<size_t>(100, lo + 1);
      double f = soc - static_cast<double>(lo);
      double calendar = t.calendar_eur_per_h[lo] * (1 - f) + t.calendar_eur_per_h[hi] * f;
      eur += calendar * dt_h + t.cycle_eur_per_kwh * std::abs(stored);
    }
    out[i].eur = eur;
    out[i].capacity_pct_points = eur / t.eur_per_pct_point;
  }
  return out;
}

}  // namespace voltpool
