#include "sim/price_greedy.hpp"

#include <algorithm>

namespace voltpool {

void PriceGreedyStrategy::plan(const StepView& view, int session) {
  const PlannerVehicle& v = view.vehicles[session];
  const BatteryLimits& l = v.limits;
  const double dt_h = view.grid->dt_h();
  const int known = static_cast<int>(view.known_price_eur_per_kwh.size());
  Plan& p = plans_[session];
  p.first_step = view.step;
  int end = std::max(v.est_departure_step, view.step);
  p.kw.assign(static_cast<size_t>(end - view.step), 0.0);
  double need_kwh = l.e_max_kwh - view.energy_kwh[session];
  if (need_kwh <= 0) return;

  candidate_steps_.clear();
  for (int t = view.step; t < end; ++t) candidate_steps_.push_back(t);
  // Known prices first, cheapest first (earlier on ties); then unknown steps in time order.
  std::stable_sort(candidate_steps_.begin(), candidate_steps_.end(), [&](int a, int b) {
    bool ka = a < known, kb = b < known;
    if (ka != kb) return ka;
    if (!ka) return a < b;
    return view.known_price_eur_per_kwh[a] < view.known_price_eur_per_kwh[b];
  });
  for (int t : candidate_steps_) {
    if (need_kwh <= 1e-12) break;
    double frac = v.expected_fraction(t);
    double step_kwh = l.charge_max_kw * l.charge_efficiency * frac * dt_h;
    if (step_kwh <= 0) continue;
    double take = std::min(need_kwh, step_kwh);
    p.kw[static_cast<size_t>(t - view.step)] = take / (l.charge_efficiency * frac * dt_h);
    need_kwh -= take;
  }
}

void PriceGreedyStrategy::decide(const StepView& view, std::span<double> requested_kw) {
  for (int s : view.departed) plans_.erase(s);
  if (view.known_price_eur_per_kwh.size() != planned_with_known_) {
    planned_with_known_ = view.known_price_eur_per_kwh.size();
    for (int s : view.plugged) plan(view, s);
  } else {
    for (int s : view.arrived) plan(view, s);
  }
  for (size_t k = 0; k < view.plugged.size(); ++k) {
    int s = view.plugged[k];
    const PlannerVehicle& v = view.vehicles[s];
    const Plan& p = plans_[s];
    int offset = view.step - p.first_step;
    if (view.step >= v.est_departure_step) {
      // Past the owner's estimate and still here: whatever is missing, as fast as possible.
      requested_kw[k] = view.energy_kwh[s] < v.limits.e_max_kwh ? v.limits.charge_max_kw : 0.0;
    } else {
      requested_kw[k] = offset >= 0 && offset < static_cast<int>(p.kw.size()) ? p.kw[static_cast<size_t>(offset)] : 0;
    }
  }
}

}  // namespace voltpool
