#include "battery/wear_cost.hpp"

#include <algorithm>
#include <cmath>

namespace voltpool {

namespace {

// The rate of a power-law loss y = k (x / scale)^p per unit x at x (x > 0).
double power_law_slope(double k, double p, double scale, double x) {
  if (k <= 0) return 0;
  return k * p * std::pow(std::max(x, 1e-9) / scale, p - 1) / scale;
}

double money_per_loss(const WearParams& w) { return w.capacity_kwh * w.capacity_value_eur_per_kwh * kPackFadeFactor; }

FadeRates rates_at(const WearParams& w, double soc) {
  DutyCycle day = daily_cycle({{0, soc}, {24, soc}}, w.temp_c);
  Stressors s = extract_stressors(day);
  s.dod = w.typical_dod;
  s.crate = w.typical_crate;
  return fade_rates(w.model, day, s);
}

}  // namespace

double calendar_eur_per_h(const WearParams& w, double soc) {
  FadeRates r = rates_at(w, soc);
  return money_per_loss(w) * power_law_slope(r.k_cal, r.p_cal, r.cal_scale_days, w.age_days) / 24.0;
}

double WearRates::calendar_eur_per_h(double soc) const {
  double best = -1e300;
  for (auto [slope, intercept] : calendar_lines) best = std::max(best, slope * soc + intercept);
  return calendar_lines.empty() ? 0.0 : best;
}

WearRates linearise_wear(const WearParams& w) {
  WearRates out;
  // Sample, then keep the lower convex hull (Andrew's monotone chain over increasing SoC).
  std::vector<std::pair<double, double>> pts;
  for (int i = 2; i <= 20; ++i) pts.emplace_back(i / 20.0, calendar_eur_per_h(w, i / 20.0));
  std::vector<std::pair<double, double>> hull;
  for (const auto& p : pts) {
    while (hull.size() >= 2) {
      auto [x1, y1] = hull[hull.size() - 2];
      auto [x2, y2] = hull.back();
      if ((x2 - x1) * (p.second - y1) - (y2 - y1) * (p.first - x1) <= 0) hull.pop_back();
      else break;
    }
    hull.push_back(p);
  }
  for (size_t i = 1; i < hull.size(); ++i) {
    auto [x1, y1] = hull[i - 1];
    auto [x2, y2] = hull[i];
    double slope = (y2 - y1) / (x2 - x1);
    out.calendar_lines.emplace_back(slope, y1 - slope * x1);
  }
  FadeRates r = rates_at(w, 0.5);
  // d(loss)/d(EFC) at the battery's present throughput; a kWh through the battery is 1 / (2 capacity) EFC.
  double per_efc = power_law_slope(r.k_cyc, r.p_cyc, r.cyc_scale_efc, w.efc_so_far);
  out.cycle_eur_per_kwh = money_per_loss(w) * per_efc / (2.0 * w.capacity_kwh);
  return out;
}

}  // namespace voltpool
