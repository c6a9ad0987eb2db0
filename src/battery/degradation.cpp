#include "battery/degradation.hpp"

#include <algorithm>
#include <cmath>

namespace voltpool {

namespace {

struct Named {
  CellModel model;
  const char* name;
};
constexpr Named kModels[] = {
    {CellModel::kNmcGr75AhA, "NMC_Gr_75Ah_A"},
    {CellModel::kNmcGr50AhB1, "NMC_Gr_50Ah_B1"},
    {CellModel::kNmcGr50AhB2, "NMC_Gr_50Ah_B2"},
    {CellModel::kLfpGr250AhPrismatic, "Lfp_Gr_250AhPrismatic"},
    {CellModel::kNcaGrPanasonic3Ah, "Nca_Gr_Panasonic3Ah_Battery"},
    {CellModel::kNmc111GrKokam75Ah, "Nmc111_Gr_Kokam75Ah_Battery"},
};

// The time average of f over the cycle's samples (trapezoid), as BLAST averages its rates.
template <class F>
double time_average(const DutyCycle& c, F f) {
  double integral = 0;
  for (size_t i = 1; i < c.t_s.size(); ++i) {
    integral += 0.5 * (f(i - 1) + f(i)) * (c.t_s[i] - c.t_s[i - 1]);
  }
  double span = c.t_s.back() - c.t_s.front();
  return span > 0 ? integral / span : f(0);
}

}  // namespace

std::optional<CellModel> find_cell_model(std::string_view name) {
  for (const auto& m : kModels) {
    if (name == m.name) return m.model;
  }
  return std::nullopt;
}

std::string_view cell_model_name(CellModel model) {
  for (const auto& m : kModels) {
    if (m.model == model) return m.name;
  }
  return "";
}

std::string cell_model_names() {
  std::string out;
  for (const auto& m : kModels) out += (out.empty() ? "" : ", ") + std::string(m.name);
  return out;
}

DutyCycle daily_cycle(const std::vector<std::pair<double, double>>& hour_soc, double temp_c, double step_s) {
  DutyCycle c;
  const int n = static_cast<int>(std::round(86400.0 / step_s));
  for (int i = 0; i <= n; ++i) {
    double t = i * step_s, h = t / 3600.0;
    double soc = hour_soc.front().second;
    for (size_t k = 1; k < hour_soc.size(); ++k) {
      auto [h0, s0] = hour_soc[k - 1];
      auto [h1, s1] = hour_soc[k];
      if (h >= h0 && h <= h1) {
        soc = h1 > h0 ? s0 + (s1 - s0) * (h - h0) / (h1 - h0) : s1;
        break;
      }
      if (h > h1) soc = s1;
    }
    c.t_s.push_back(t);
    c.soc.push_back(soc);
    c.temp_c.push_back(temp_c);
  }
  return c;
}

double anode_potential_v(double soc) {
  double x = 8.5e-3 + soc * (0.78 - 8.5e-3);
  return 0.6379 + 0.5416 * std::exp(-305.5309 * x) + 0.044 * std::tanh(-(x - 0.1958) / 0.1088) -
         0.1978 * std::tanh((x - 1.0571) / 0.0854) - 0.6875 * std::tanh((x + 0.0117) / 0.0529) -
         0.0175 * std::tanh((x - 0.5692) / 0.0875);
}

Stressors extract_stressors(const DutyCycle& c) {
  Stressors s;
  const size_t n = c.t_s.size();
  if (n < 2) return s;
  s.days = (c.t_s.back() - c.t_s.front()) / 86400.0;
  double travel = 0;
  for (size_t i = 1; i < n; ++i) travel += std::abs(c.soc[i] - c.soc[i - 1]);
  s.delta_efc = travel / 2;
  auto [lo, hi] = std::minmax_element(c.soc.begin(), c.soc.end());
  s.dod = *hi - *lo;
  // |dSOC/dt| per interval (per hour), below 0.01 counted as rest, integrated by the trapezoid over the
  // interval values placed at t[1..n-1] and divided by the whole span (BLAST's convention).
  std::vector<double> rate(n);
  for (size_t i = 1; i < n; ++i) {
    double dt_h = (c.t_s[i] - c.t_s[i - 1]) / 3600.0;
    double r = dt_h > 0 ? std::abs((c.soc[i] - c.soc[i - 1]) / dt_h) : 0.0;
    rate[i] = r < 0.01 ? 0.0 : r;
  }
  double integral_days = 0;
  for (size_t i = 2; i < n; ++i) integral_days += 0.5 * (rate[i - 1] + rate[i]) * (c.t_s[i] - c.t_s[i - 1]) / 86400.0;
  s.crate = s.days > 0 ? integral_days / s.days : 0.0;
  return s;
}

FadeRates fade_rates(CellModel m, const DutyCycle& c, const Stressors& s) {
  FadeRates r;
  auto kelvin = [&](size_t i) { return c.temp_c[i] + 273.15; };
  auto tn = [&](size_t i) { return kelvin(i) / 308.15; };
  auto ua = [&](size_t i) { return anode_potential_v(c.soc[i]); };
  auto uan = [&](size_t i) { return ua(i) / 0.123; };
  const double dod = s.dod, crate = s.crate;
  switch (m) {
    case CellModel::kNmcGr75AhA:
      r.k_cal = time_average(c, [&](size_t i) { return 8.71e-07 * std::exp(10 * std::pow(tn(i), 3) / std::cbrt(uan(i))); });
      r.k_cyc = time_average(c, [&](size_t i) {
        double t = tn(i);
        return std::abs(0.0267 + 1.64 * std::pow(t, 3) * std::sqrt(dod) + 0.011 * std::exp(crate * crate / std::sqrt(t)) -
                        0.44 * std::exp(std::sqrt(dod) * t * t * std::sqrt(crate)));
      });
      r.p_cal = 0.578, r.cal_scale_days = 1e3, r.p_cyc = 1.11, r.cyc_scale_efc = 1e4;
      break;
    case CellModel::kNmcGr50AhB1:
      r.k_cal = time_average(c, [&](size_t i) { return 36.2 * std::exp(-4.4 * std::cbrt(uan(i)) / std::pow(tn(i), 3)); });
      r.k_cyc = time_average(c, [&](size_t i) {
        return std::abs(0.844 * std::pow(dod * dod * std::pow(tn(i), 3) * std::sqrt(crate), 0.458));
      });
      r.p_cal = 0.708, r.cal_scale_days = 1e4, r.p_cyc = 0.467, r.cyc_scale_efc = 1e5;
      break;
    case CellModel::kNmcGr50AhB2:
      r.k_cal = time_average(c, [&](size_t i) { return 12 * std::exp(-3.91 * std::cbrt(uan(i)) / std::pow(tn(i), 3)); });
      r.k_cyc = time_average(c, [&](size_t i) {
        double t = tn(i), x = dod * std::sqrt(crate);
        return 2.2e9 * std::pow(x / std::pow(t, 3), 11.9) * std::exp(-35.7 * x / (t * t)) *
               std::exp(13.7 * dod * dod * crate / std::pow(t, 3));
      });
      r.p_cal = 0.584, r.cal_scale_days = 1e4, r.p_cyc = 0.907, r.cyc_scale_efc = 1e4;
      break;
    case CellModel::kLfpGr250AhPrismatic:
      r.k_cal = time_average(c, [&](size_t i) { return 8.37e4 * std::exp(-5.21e3 / kelvin(i)) * std::exp(-3.56e3 * ua(i) / kelvin(i)); });
      r.k_cyc = time_average(c, [&](size_t i) {
        return (4.38e-8 + 1.55e-8 * dod + 1.68e-7 * crate) * (std::exp(2.19e3 / kelvin(i)) + std::exp(-1.55e5 / kelvin(i)));
      });
      r.p_cal = 0.526, r.p_cyc = 0.828;
      break;
    case CellModel::kNcaGrPanasonic3Ah:
      r.k_cal = time_average(c, [&](size_t i) { return 75.4 * std::exp(-3.34e3 / kelvin(i)) * std::exp(353 * c.soc[i] / kelvin(i)); });
      r.k_cyc = time_average(c, [&](size_t i) {
        return (1.86e-6 + 4.74e-11 * crate + 1.77e-4 * dod) * (std::exp(3.34e-11 / kelvin(i)) + std::exp(-2.81e-9 / kelvin(i)));
      });
      r.p_cal = 0.512, r.p_cyc = 0.699;
      break;
    case CellModel::kNmc111GrKokam75Ah: {
      r.k_cal = time_average(c, [&](size_t i) { return 2.66e7 * std::exp(-17.8 / tn(i)) * std::exp(-5.21 * uan(i) / tn(i)); });
      r.k_cyc = time_average(c, [&](size_t i) { return 3.80e3 * std::exp(-18.4 / tn(i)) * std::exp(1.04 * std::exp(dod * dod)); });
      r.p_cal = 0.357, r.p_cyc = 0.778;
      double mean_soc = time_average(c, [&](size_t i) { return c.soc[i]; });
      double mean_temp = time_average(c, [&](size_t i) { return c.temp_c[i]; });
      r.lam_scale_efc = 1e4 + 153 * (mean_temp - 55) * dod * (mean_soc / 0.6);
      break;
    }
  }
  return r;
}

namespace {
// y = k x^p: the exact value on the first step, then forward Euler on dy/dx = k p (y/k)^((p-1)/p).
double power_law_step(double y, double k, double p, double dx) {
  if (k <= 0 || dx <= 0) return y;
  if (y <= 0) return k * std::pow(dx, p);
  return y + k * p * std::pow(y / k, (p - 1) / p) * dx;
}
}  // namespace

void age(AgingState& state, const FadeRates& r, double dt_days, double d_efc) {
  state.calendar_loss = power_law_step(state.calendar_loss, r.k_cal, r.p_cal, dt_days / r.cal_scale_days);
  state.cycle_loss = power_law_step(state.cycle_loss, r.k_cyc, r.p_cyc, d_efc / r.cyc_scale_efc);
  state.days += dt_days;
  state.efc += d_efc;
  if (r.lam_scale_efc > 0) {
    state.active_material_loss = 2 * (0.5 - 1 / (1 + std::exp(std::pow(state.efc / r.lam_scale_efc, 10))));
  }
}

}  // namespace voltpool
