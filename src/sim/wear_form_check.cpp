#include "sim/wear_form_check.hpp"

#include <algorithm>
#include <cmath>
#include <map>

namespace voltpool {

namespace {

// Per battery size: the model's calendar rate every 1 % SoC (linearly interpolated between), the form's lines
// and the cycling rate.
struct Rates {
  std::vector<double> model_eur_per_h;
  WearRates form;

  double model_at(double soc_pct) const {
    size_t lo = static_cast<size_t>(std::floor(soc_pct)), hi = std::min<size_t>(100, lo + 1);
    double f = soc_pct - static_cast<double>(lo);
    return model_eur_per_h[lo] * (1 - f) + model_eur_per_h[hi] * f;
  }
};

}  // namespace

WearFormCheck check_wear_form(const SimulationInput& in, const SimulationResult& r, const WearParams& params) {
  std::map<double, Rates> by_capacity;
  auto rates = [&](double capacity_kwh) -> const Rates& {
    auto it = by_capacity.find(capacity_kwh);
    if (it != by_capacity.end()) return it->second;
    WearParams w = params;
    w.capacity_kwh = capacity_kwh;
    Rates x;
    for (int i = 0; i <= 100; ++i) x.model_eur_per_h.push_back(calendar_eur_per_h(w, i / 100.0));
    x.form = linearise_wear(w);
    return by_capacity.emplace(capacity_kwh, std::move(x)).first->second;
  };
  const double dt_h = in.grid.dt_h();
  WearFormCheck out;
  for (size_t i = 0; i < in.sessions.size(); ++i) {
    const PlugSession& s = in.sessions[i];
    const Rates& x = rates(s.capacity_kwh);
    double e = s.arrival_energy_kwh;
    for (double kw : r.meter.of(i)) {
      double stored = (kw >= 0 ? kw * s.charge_efficiency : kw / s.discharge_efficiency) * dt_h;
      e += stored;
      double soc = std::clamp(e / s.capacity_kwh, 0.0, 1.0);
      out.form_calendar_eur += x.form.calendar_eur_per_h(soc) * dt_h;
      out.model_calendar_eur += x.model_at(soc * 100) * dt_h;
      out.cycling_eur += x.form.cycle_eur_per_kwh * std::abs(stored);
    }
  }
  return out;
}

}  // namespace voltpool
