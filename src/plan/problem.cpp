#include "plan/problem.hpp"

#include "core/compensated_sum.hpp"

#include <algorithm>
#include <cmath>
#include <thread>
#include <utility>

namespace voltpool {

void PlanVehicles::reserve(size_t n) {
  for (auto* v : {&first_step, &end_step, &feeder}) v->reserve(n);
  for (auto* v : {&first_fraction, &last_fraction, &charge_max_kw, &discharge_max_kw, &e0_kwh, &e_min_kwh, &e_max_kwh,
                  &target_kwh, &eta_charge, &eta_discharge})
    v->reserve(n);
}

void PlanVehicles::add(int first, int end, double first_frac, double last_frac, double charge_kw, double discharge_kw,
                       double e0, double e_min, double e_max, double target, double eta_c, double eta_d,
                       int feeder_index) {
  feeder.push_back(feeder_index);
  first_step.push_back(first);
  end_step.push_back(end);
  first_fraction.push_back(first_frac);
  last_fraction.push_back(last_frac);
  charge_max_kw.push_back(charge_kw);
  discharge_max_kw.push_back(discharge_kw);
  e0_kwh.push_back(e0);
  e_min_kwh.push_back(std::min(e_min, e0));
  e_max_kwh.push_back(std::max(e_max, e0));
  target_kwh.push_back(target);
  eta_charge.push_back(eta_c);
  eta_discharge.push_back(eta_d);
}

double PlanningProblem::shortfall_penalty_eur_per_kwh() const {
  double dearest = 0;
  for (double x : import_price_eur_per_kwh) dearest = std::max(dearest, std::abs(x));
  for (double x : export_price_eur_per_kwh) dearest = std::max(dearest, std::abs(x));
  return std::max(1.0, 10.0 * (dearest + wear_eur_per_kwh));
}

bool PlanningProblem::any_discharge() const {
  return std::any_of(vehicles.discharge_max_kw.begin(), vehicles.discharge_max_kw.end(), [](double d) { return d > 0; });
}

double PlanningProblem::soft_floor_cost_eur(const Plan& plan) const {
  if (!has_soft_floors()) return 0;
  const PlanVehicles& v = vehicles;
  double cost = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    double e = v.e0_kwh[i];
    auto kw = plan.of(i);
    for (size_t k = 0; k < kw.size(); ++k) {
      e += v.stored_kwh(i, kw[k], dt_h);
      cost += soft_floor_penalty_eur_per_kwh * std::max(0.0, soft_floor_kwh[plan.offset[i] + k] - e);
    }
  }
  return cost;
}

double Plan::gap() const {
  if (!std::isfinite(lower_bound_eur)) return std::numeric_limits<double>::infinity();
  // Relative to the money part: the shortfall penalty is a large constant whenever some target is out of reach.
  return std::max(0.0, objective_eur - lower_bound_eur) / std::max(1.0, std::abs(energy_cost_eur + wear_cost_eur));
}

std::vector<double> fleet_power_kw(const PlanningProblem& p, const Plan& plan) { return group_power_kw(p, plan, 0); }

std::vector<double> group_power_kw(const PlanningProblem& p, const Plan& plan, int group) {
  LimitGroups groups(p);
  std::vector<CompensatedSum> sum(static_cast<size_t>(p.steps));
  for (size_t i = 0; i < p.vehicles.size(); ++i) {
    bool in_group = false;
    groups.for_chain(i, [&](int g) { in_group |= g == group; });
    if (!in_group) continue;
    auto kw = plan.of(i);
    for (size_t k = 0; k < kw.size(); ++k) sum[static_cast<size_t>(p.vehicles.first_step[i]) + k].add(kw[k]);
  }
  std::vector<double> power(sum.size());
  for (size_t t = 0; t < sum.size(); ++t) power[t] = sum[t].value();
  return power;
}

double VehicleWear::calendar_eur_per_h(double stored_kwh) const {
  double best = -std::numeric_limits<double>::infinity();
  for (auto [slope, intercept] : calendar_lines) best = std::max(best, slope * stored_kwh + intercept);
  return calendar_lines.empty() ? 0.0 : best;
}

std::vector<double> plan_battery_wear_eur(const PlanningProblem& p, const Plan& plan) {
  const PlanVehicles& v = p.vehicles;
  std::vector<double> out(v.size(), 0.0);
  if (p.vehicle_wear.empty()) return out;
  for (size_t i = 0; i < v.size(); ++i) {
    const VehicleWear& w = p.vehicle_wear[i];
    double e = v.e0_kwh[i];
    for (double kw : plan.of(i)) {
      const double stored = v.stored_kwh(i, kw, p.dt_h);
      e += stored;
      out[i] += w.calendar_eur_per_h(e) * p.dt_h + w.throughput_eur_per_kwh * std::abs(stored);
    }
  }
  return out;
}

EnergyCorridor energy_corridor(const PlanningProblem& p, size_t i) {
  const PlanVehicles& v = p.vehicles;
  const size_t w = static_cast<size_t>(v.window(i));
  EnergyCorridor c;
  c.low_kwh.resize(w);
  c.high_kwh.resize(w);
  const double goal = std::min(v.target_kwh[i], v.e_max_kwh[i]);
  double up = v.e0_kwh[i], down = v.e0_kwh[i];  // the most and least it can hold by the end of step k
  for (size_t k = 0; k < w; ++k) {
    double f = v.fraction(i, static_cast<int>(k));
    up = std::min(v.e_max_kwh[i], up + v.charge_max_kw[i] * f * v.eta_charge[i] * p.dt_h);
    down = std::max(v.e_min_kwh[i], down - v.discharge_max_kw[i] * f / v.eta_discharge[i] * p.dt_h);
    c.high_kwh[k] = up;
    c.low_kwh[k] = down;
  }
  double needed = goal;  // the least it must hold at the end of step k to reach the goal at departure
  for (size_t k = w; k-- > 0;) {
    c.low_kwh[k] = std::min(c.high_kwh[k], std::max(c.low_kwh[k], needed));
    double f = v.fraction(i, static_cast<int>(k));
    needed -= v.charge_max_kw[i] * f * v.eta_charge[i] * p.dt_h;  // what step k itself can still add
  }
  return c;
}

bool PlanningProblem::has_feeder_limits() const {
  for (const Feeder& f : feeders) {
    for (int t = 0; t < steps; ++t) {
      if (std::isfinite(f.import_limit_kw[t]) || std::isfinite(f.export_limit_kw[t])) return true;
    }
  }
  return false;
}

double centring_step_eur(double eur_per_h, double dt_h, double mid_kwh, double half_kwh, double stored_kwh) {
  const double rate = eur_per_h * dt_h / half_kwh, off = std::abs(stored_kwh - mid_kwh);
  return rate * (off <= half_kwh / 2 ? off / 2 : half_kwh / 4 + 1.5 * (off - half_kwh / 2));
}

double centring_cost_eur(const PlanningProblem& p, const Plan& plan) {
  if (p.centring_eur_per_h <= 0) return 0;
  const PlanVehicles& v = p.vehicles;
  double eur = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    const EnergyCorridor c = energy_corridor(p, i);
    double e = v.e0_kwh[i];
    const auto kw = plan.of(i);
    for (size_t k = 0; k < kw.size(); ++k) {
      e += v.stored_kwh(i, kw[k], p.dt_h);
      const double half = std::max(1e-3, (c.high_kwh[k] - c.low_kwh[k]) / 2);
      eur += centring_step_eur(p.centring_eur_per_h, p.dt_h, (c.low_kwh[k] + c.high_kwh[k]) / 2, half, e);
    }
  }
  return eur;
}

void account_plan(const PlanningProblem& p, Plan& plan, std::span<const double> profile_kw) {
  const PlanCheck check = check_plan(p, plan);
  plan.shortfall_kwh = check.vehicle_shortfall_kwh;
  plan.energy_cost_eur = check.energy_cost_eur;
  plan.wear_cost_eur = check.wear_cost_eur;
  plan.battery_wear_eur = 0;
  for (double eur : plan_battery_wear_eur(p, plan)) plan.battery_wear_eur += eur;
  plan.objective_eur = check.energy_cost_eur + check.wear_cost_eur +
                       p.shortfall_penalty_eur_per_kwh() * check.shortfall_kwh + p.soft_floor_cost_eur(plan) +
                       plan.battery_wear_eur + centring_cost_eur(p, plan);
  plan.deviation_kw.clear();
  if (profile_kw.empty()) return;
  plan.deviation_kw.resize(static_cast<size_t>(p.steps));
  for (int t = 0; t < p.steps; ++t) {
    plan.deviation_kw[t] = profile_kw[t] - check.fleet_kw[static_cast<size_t>(t)];
    plan.objective_eur += p.deviation_cost_eur_per_kw(t) * std::abs(plan.deviation_kw[t]);
  }
}

Plan arrival_charging_plan(const PlanningProblem& p) {
  const PlanVehicles& v = p.vehicles;
  Plan plan;
  plan.offset.assign(v.size() + 1, 0);
  for (size_t i = 0; i < v.size(); ++i) plan.offset[i + 1] = plan.offset[i] + static_cast<size_t>(v.window(i));
  plan.kw.assign(plan.offset.back(), 0.0);
  for (size_t i = 0; i < v.size(); ++i) {
    double left = std::max(0.0, std::min(v.target_kwh[i], v.e_max_kwh[i]) - v.e0_kwh[i]);  // stored kWh
    for (int k = 0; k < v.window(i) && left > 0; ++k) {
      double kw = std::min(v.charge_max_kw[i] * v.fraction(i, k), left / (v.eta_charge[i] * p.dt_h));
      plan.kw[plan.offset[i] + static_cast<size_t>(k)] = kw;
      left -= kw * v.eta_charge[i] * p.dt_h;
    }
  }
  return plan;
}

LimitGroups::LimitGroups(const PlanningProblem& p) {
  parent.push_back(-1);
  import_kw.push_back(&p.import_limit_kw);
  export_kw.push_back(&p.export_limit_kw);
  for (const Feeder& f : p.feeders) {
    parent.push_back(f.parent + 1);
    import_kw.push_back(&f.import_limit_kw);
    export_kw.push_back(&f.export_limit_kw);
  }
  vehicle_group.reserve(p.vehicles.size());
  for (int f : p.vehicles.feeder) vehicle_group.push_back(f + 1);
}

namespace {

// check_plan over the vehicles [begin, end): its sums, per-group powers and per-vehicle shortfalls.
struct CheckPart {
  PlanCheck check;
  std::vector<std::vector<double>> group_kw;
  std::vector<CompensatedSum> fleet_kw;
};

void check_vehicles(const PlanningProblem& p, const Plan& plan, const LimitGroups& groups, size_t begin, size_t end,
                    std::vector<double>& shortfall_kwh, CheckPart& part) {
  const PlanVehicles& v = p.vehicles;
  const size_t steps = static_cast<size_t>(p.steps);
  PlanCheck& c = part.check;
  part.group_kw.assign(groups.size(), std::vector<double>(steps, 0.0));
  part.fleet_kw.assign(steps, CompensatedSum{});
  BlockedStepSums fleet_sums(steps);
  const bool feeders = groups.size() > 1;
  for (size_t i = begin; i < end; ++i) {
    const auto kw = plan.of(i);
    const int first = v.first_step[i], w = v.window(i);
    const double charge_max = v.charge_max_kw[i], discharge_max = v.discharge_max_kw[i];
    const double per_charged_kw = v.eta_charge[i] * p.dt_h, per_discharged_kw = p.dt_h / v.eta_discharge[i];
    const double e_min = v.e_min_kwh[i], e_max = v.e_max_kwh[i];
    double* fleet = fleet_sums.row() + first;
    double e = v.e0_kwh[i], power_violation = c.max_power_violation_kw, energy_violation = c.max_energy_violation_kwh;
    double cost_kw = 0, discharged_kw = 0;  // price x kW and kW, times dt_h below
    for (int k = 0; k < w; ++k) {
      const double f = k == 0 ? v.first_fraction[i] : k == w - 1 ? v.last_fraction[i] : 1.0;
      const double pw = kw[static_cast<size_t>(k)], in = std::max(pw, 0.0), out = std::min(pw, 0.0);
      const size_t t = static_cast<size_t>(first + k);
      const double price = pw >= 0 ? p.import_price_eur_per_kwh[t] : p.export_price_eur_per_kwh[t];
      power_violation = std::max(power_violation, std::max(pw - charge_max * f, -pw - discharge_max * f));
      cost_kw += price * pw;
      discharged_kw -= out;
      e += in * per_charged_kw + out * per_discharged_kw;
      energy_violation = std::max(energy_violation, std::max(e_min - e, e - e_max));
      fleet[k] += pw;
    }
    c.energy_cost_eur += cost_kw * p.dt_h;
    c.wear_cost_eur += p.wear_eur_per_kwh * discharged_kw * p.dt_h;
    if (feeders) {
      for (int k = 0; k < w; ++k) {
        const double pw = kw[static_cast<size_t>(k)];
        groups.for_chain(i, [&](int g) { part.group_kw[static_cast<size_t>(g)][static_cast<size_t>(first + k)] += pw; });
      }
    }
    c.max_power_violation_kw = power_violation;
    c.max_energy_violation_kwh = energy_violation;
    shortfall_kwh[i] = std::max(0.0, v.target_kwh[i] - e);
    c.shortfall_kwh += shortfall_kwh[i];
  }
  fleet_sums.add_to(part.fleet_kw);
  for (size_t t = 0; t < steps; ++t) part.group_kw[0][t] = part.fleet_kw[t].value();
}

}  // namespace

PlanCheck check_plan(const PlanningProblem& p, const Plan& plan) {
  const PlanVehicles& v = p.vehicles;
  const size_t steps = static_cast<size_t>(p.steps), n = v.size();
  const LimitGroups groups(p);
  PlanCheck c;
  c.vehicle_shortfall_kwh.assign(n, 0.0);
  // Two halves for large fleets (on two threads where there are two cores), added in order: the same sums
  // whatever the machine.
  const size_t parts = n >= 4096 ? 2 : 1;
  std::vector<CheckPart> part(parts);
  auto run = [&](size_t k) { check_vehicles(p, plan, groups, n * k / parts, n * (k + 1) / parts, c.vehicle_shortfall_kwh, part[k]); };
  if (parts == 2 && std::thread::hardware_concurrency() >= 2) {
    std::jthread second(run, 1);
    run(0);
  } else {
    for (size_t k = 0; k < parts; ++k) run(k);
  }
  std::vector<CompensatedSum> fleet(steps);
  for (const CheckPart& q : part) {
    c.energy_cost_eur += q.check.energy_cost_eur;
    c.wear_cost_eur += q.check.wear_cost_eur;
    c.shortfall_kwh += q.check.shortfall_kwh;
    c.max_power_violation_kw = std::max(c.max_power_violation_kw, q.check.max_power_violation_kw);
    c.max_energy_violation_kwh = std::max(c.max_energy_violation_kwh, q.check.max_energy_violation_kwh);
    for (size_t t = 0; t < steps; ++t) fleet[t].add(q.fleet_kw[t]);
  }
  c.fleet_kw.resize(steps);
  for (size_t t = 0; t < steps; ++t) c.fleet_kw[t] = fleet[t].value();
  for (size_t g = p.fleet_profile_kw.empty() ? 0 : 1; g < groups.size(); ++g) {
    for (size_t t = 0; t < steps; ++t) {
      double kw = g == 0 ? c.fleet_kw[t] : 0.0;
      if (g > 0) {
        for (const CheckPart& q : part) kw += q.group_kw[g][t];
      }
      c.max_site_excess_kw = std::max({c.max_site_excess_kw, kw - (*groups.import_kw[g])[t], -kw - (*groups.export_kw[g])[t]});
    }
  }
  return c;
}

}  // namespace voltpool
