#include "plan/single_direction.hpp"

#include <algorithm>

namespace voltpool {

double single_direction_kw(double charge_kw, double discharge_kw, double eta_charge, double eta_discharge) {
  if (discharge_kw <= 0) return charge_kw;
  if (charge_kw <= 0) return -discharge_kw;
  double battery_kw = eta_charge * charge_kw - discharge_kw / eta_discharge;
  return battery_kw >= 0 ? battery_kw / eta_charge : battery_kw * eta_discharge;
}

namespace {

constexpr double kBothKw = 1e-9;  // below this a direction counts as idle

}  // namespace

void set_single_direction(const PlanningProblem& p, const std::vector<double>& charge_kw,
                          const std::vector<double>& discharge_kw, Plan& plan) {
  const PlanVehicles& v = p.vehicles;
  plan.kw.resize(charge_kw.size());
  plan.simultaneous_steps = 0;
  std::vector<std::pair<size_t, int>> both;  // (vehicle, window step)
  for (size_t i = 0; i < v.size(); ++i) {
    for (size_t x = plan.offset[i]; x < plan.offset[i + 1]; ++x) {
      plan.kw[x] = single_direction_kw(charge_kw[x], discharge_kw[x], v.eta_charge[i], v.eta_discharge[i]);
      if (charge_kw[x] > kBothKw && discharge_kw[x] > kBothKw) both.emplace_back(i, static_cast<int>(x - plan.offset[i]));
    }
  }
  plan.simultaneous_steps = static_cast<int>(both.size());
  if (both.empty()) return;

  // Group powers per step, to find export limits the shed losses would break.
  LimitGroups groups(p);
  const size_t steps = static_cast<size_t>(p.steps);
  std::vector<double> group_kw(groups.size() * steps, 0.0);
  for (size_t i = 0; i < v.size(); ++i) {
    auto kw = plan.of(i);
    for (size_t k = 0; k < kw.size(); ++k) {
      size_t t = static_cast<size_t>(v.first_step[i]) + k;
      groups.for_chain(i, [&](int g) { group_kw[static_cast<size_t>(g) * steps + t] += kw[k]; });
    }
  }
  // A step whose group power must stay as planned: a followed profile, a held power, or an export limit that
  // the shed losses would break.
  const bool follow = !p.fleet_profile_kw.empty();
  auto held = [&](int g, size_t t) {
    return p.hold_steps > 0 && g == p.hold_group && static_cast<int>(t) >= p.hold_first_step &&
           static_cast<int>(t) < p.hold_first_step + p.hold_steps;
  };
  auto keep_net = [&](size_t i, size_t t) {
    bool keep = false;
    groups.for_chain(i, [&](int g) {
      keep |= (follow && g == 0) || held(g, t) ||
              -group_kw[static_cast<size_t>(g) * steps + t] > (*groups.export_kw[static_cast<size_t>(g)])[t] + 1e-9;
    });
    return keep;
  };
  for (auto [i, k] : both) {
    const size_t t = static_cast<size_t>(v.first_step[i] + k), x = plan.offset[i] + static_cast<size_t>(k);
    if (!keep_net(i, t)) continue;
    const double net_kw = charge_kw[x] - discharge_kw[x];
    const double kept_kwh = v.stored_kwh(i, net_kw, p.dt_h) -
                            v.stored_kwh(i, plan.kw[x], p.dt_h);
    // The battery keeps kept_kwh from this step on: only where its ceiling allows.
    auto kw = plan.of(i);
    double e = v.e0_kwh[i], highest = -kNoLimit;
    for (size_t s = 0; s < kw.size(); ++s) {
      e += v.stored_kwh(i, kw[s], p.dt_h);
      if (s >= static_cast<size_t>(k)) highest = std::max(highest, e);
    }
    if (highest + kept_kwh > v.e_max_kwh[i] + 1e-9) continue;
    const double change_kw = net_kw - plan.kw[x];
    plan.kw[x] = net_kw;
    groups.for_chain(i, [&](int g) { group_kw[static_cast<size_t>(g) * steps + t] += change_kw; });
  }
}

}  // namespace voltpool
