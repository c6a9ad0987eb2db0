#include "sim/schedule_metrics.hpp"

#include <algorithm>
#include <cassert>

namespace voltpool {

ScheduleMetrics evaluate_schedule(const std::vector<BenchEv>& evs, const std::vector<double>& prices,
                                  double site_limit_kw, std::span<const double> kw, double dt_h, bool v2g) {
  const size_t steps = prices.size();
  assert(kw.size() == evs.size() * steps);
  ScheduleMetrics m;
  std::vector<double> fleet(steps, 0);
  constexpr double kPowerTol = 1e-9, kEnergyTol = 1e-6;
  for (size_t i = 0; i < evs.size(); ++i) {
    const BenchEv& ev = evs[i];
    const double* row = kw.data() + i * steps;
    double e = ev.e_arrival_kwh, sum_kwh = 0;
    for (size_t t = 0; t < steps; ++t) {
      double p = row[t];
      bool in_window = static_cast<int>(t) >= ev.arrival_step && static_cast<int>(t) < ev.departure_step;
      bool bad = false;
      if (!in_window) {
        bad = p != 0;
      } else {
        double lower = v2g ? -ev.p_dis_max_kw : 0.0;
        bad = p > ev.p_max_kw + kPowerTol || p < lower - kPowerTol;
      }
      e += p * dt_h;
      sum_kwh += p * dt_h;
      if (e < ev.e_min_kwh - kEnergyTol || e > ev.e_target_kwh + kEnergyTol) bad = true;
      m.violations += bad;
      fleet[t] += p;
      m.cost_eur += prices[t] * p * dt_h;
    }
    double request = ev.e_target_kwh - ev.e_arrival_kwh;
    m.delivered_kwh += sum_kwh;
    m.demand_met_kwh += std::min(std::max(sum_kwh, 0.0), request);
    m.feasible_kwh += std::min(request, ev.p_max_kw * (ev.departure_step - ev.arrival_step) * dt_h);
    m.fully_served += sum_kwh >= request - 0.1;
  }
  for (double f : fleet) {
    m.peak_kw = std::max(m.peak_kw, f);
    m.steps_over_limit += f > site_limit_kw + 1e-3 || (v2g && -f > site_limit_kw + 1e-3);
  }
  m.pct_of_feasible = m.feasible_kwh > 0 ? 100 * m.demand_met_kwh / m.feasible_kwh : 100;
  return m;
}

}  // namespace voltpool
