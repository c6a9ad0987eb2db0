#include "plan/exact_solver.hpp"

#include "plan/single_direction.hpp"

#include <ClpSimplex.hpp>
#include <ClpSolve.hpp>

#include <algorithm>
#include <cmath>
#include <string>

namespace voltpool {

namespace {

struct ColumnBuilder {
  std::vector<CoinBigIndex> start{0};
  std::vector<int> index;
  std::vector<double> value, lower, upper, cost;

  struct Entry {
    int column, row;
    double value;
  };
  // Adds entries to columns already built (rebuilds the column-major arrays once).
  void insert(std::vector<Entry> extra) {
    std::sort(extra.begin(), extra.end(), [](const Entry& a, const Entry& b) { return a.column < b.column; });
    std::vector<CoinBigIndex> new_start{0};
    std::vector<int> new_index;
    std::vector<double> new_value;
    size_t e = 0;
    for (size_t c = 0; c + 1 < start.size(); ++c) {
      for (CoinBigIndex k = start[c]; k < start[c + 1]; ++k) {
        new_index.push_back(index[static_cast<size_t>(k)]);
        new_value.push_back(value[static_cast<size_t>(k)]);
      }
      for (; e < extra.size() && extra[e].column == static_cast<int>(c); ++e) {
        new_index.push_back(extra[e].row);
        new_value.push_back(extra[e].value);
      }
      new_start.push_back(static_cast<CoinBigIndex>(new_index.size()));
    }
    start.swap(new_start);
    index.swap(new_index);
    value.swap(new_value);
  }

  int add(double lb, double ub, double c, const std::vector<std::pair<int, double>>& entries) {
    for (auto [row, v] : entries) {
      if (row < 0) continue;
      index.push_back(row);
      value.push_back(v);
    }
    start.push_back(static_cast<CoinBigIndex>(index.size()));
    lower.push_back(lb);
    upper.push_back(ub);
    cost.push_back(c);
    return static_cast<int>(lower.size()) - 1;
  }
};

}  // namespace

Result<Plan> solve_exact(const PlanningProblem& p) {
  const PlanVehicles& v = p.vehicles;
  const size_t n = v.size();
  const double dt = p.dt_h;
  const double inf = COIN_DBL_MAX;
  const double shortfall_penalty = p.shortfall_penalty_eur_per_kwh();  // scans the prices: once

  // Rows: balance rows vehicle by vehicle, then one target row per vehicle, then site rows.
  std::vector<double> row_lo, row_hi;
  std::vector<int> balance_row(n), target_row(n);
  for (size_t i = 0; i < n; ++i) {
    balance_row[i] = static_cast<int>(row_lo.size());
    for (int k = 0; k < v.window(i); ++k) {
      double rhs = k == 0 ? v.e0_kwh[i] : 0.0;
      row_lo.push_back(rhs);
      row_hi.push_back(rhs);
    }
  }
  for (size_t i = 0; i < n; ++i) {
    target_row[i] = static_cast<int>(row_lo.size());
    row_lo.push_back(v.target_kwh[i]);
    row_hi.push_back(inf);
  }
  // One ranged row per limited step of the fleet and of each feeder.
  LimitGroups groups(p);
  std::vector<std::vector<int>> limit_row(groups.size(), std::vector<int>(static_cast<size_t>(p.steps), -1));
  const bool follow = !p.fleet_profile_kw.empty();
  for (size_t g = 0; g < groups.size(); ++g) {
    const auto& imp = *groups.import_kw[g];
    const auto& exp = *groups.export_kw[g];
    for (int t = 0; t < p.steps; ++t) {
      if (follow && g == 0) {  // the fleet follows the profile (deviation columns below)
        limit_row[g][static_cast<size_t>(t)] = static_cast<int>(row_lo.size());
        row_lo.push_back(p.fleet_profile_kw[t]);
        row_hi.push_back(p.fleet_profile_kw[t]);
        continue;
      }
      if (!std::isfinite(imp[t]) && !std::isfinite(exp[t])) continue;
      limit_row[g][static_cast<size_t>(t)] = static_cast<int>(row_lo.size());
      row_lo.push_back(std::isfinite(exp[t]) ? -exp[t] : -inf);
      row_hi.push_back(std::isfinite(imp[t]) ? imp[t] : inf);
    }
  }

  ColumnBuilder cols;
  std::vector<ColumnBuilder::Entry> extra_entries;  // entries added to existing columns after they were built
  struct Cols {
    int c, d, e;
  };
  std::vector<Cols> at;  // per vehicle-step
  std::vector<size_t> offset(n + 1, 0);
  for (size_t i = 0; i < n; ++i) offset[i + 1] = offset[i] + static_cast<size_t>(v.window(i));
  if (!p.soft_floor_kwh.empty() && p.soft_floor_kwh.size() != offset[n]) {
    return Error{"soft floors: one value per vehicle-step is needed"};
  }
  at.resize(offset[n]);
  std::vector<int> shortfall_col(n);
  // Owner guardrails: a cap on discharged energy and on the plan's battery wear, one row each.
  const bool wear = !p.vehicle_wear.empty(), guard = !p.guardrails.empty();
  std::vector<int> cap_row(n, -1), budget_row(n, -1);
  // The wear budget is on top of what charging on arrival would wear the battery. It is hard and always
  // feasible: staying idle wears no more than charging on arrival (calendar wear rises with the energy stored).
  const std::vector<double> default_wear =
      guard && wear ? plan_battery_wear_eur(p, arrival_charging_plan(p)) : std::vector<double>(n, 0.0);
  for (size_t i = 0; guard && i < n; ++i) {
    if (std::isfinite(p.guardrails[i].discharge_cap_kwh)) {
      cap_row[i] = static_cast<int>(row_lo.size());
      row_lo.push_back(-inf);
      row_hi.push_back(p.guardrails[i].discharge_cap_kwh);
    }
    if (std::isfinite(p.guardrails[i].extra_wear_budget_eur)) {
      budget_row[i] = static_cast<int>(row_lo.size());
      row_lo.push_back(-inf);
      row_hi.push_back(p.guardrails[i].extra_wear_budget_eur + default_wear[i]);
    }
  }
  // Calendar wear: per vehicle-step a cost variable above each line of the vehicle's convex curve.
  struct WearCol {
    size_t vehicle;
    int energy_col, step;
  };
  std::vector<WearCol> calendar;
  for (size_t i = 0; i < n; ++i) {
    const int w = v.window(i);
    for (int k = 0; k < w; ++k) {
      const int t = v.first_step[i] + k;
      const double f = v.fraction(i, k);
      const int bal = balance_row[i] + k;
      Cols& c = at[offset[i] + static_cast<size_t>(k)];
      std::vector<std::pair<int, double>> charge{{bal, -v.eta_charge[i] * dt}}, discharge{{bal, dt / v.eta_discharge[i]}};
      groups.for_chain(i, [&](int g) {
        int row = limit_row[static_cast<size_t>(g)][static_cast<size_t>(t)];
        charge.emplace_back(row, 1.0);
        discharge.emplace_back(row, -1.0);
      });
      // Cycling wear per kWh through the battery: eta * charge, discharge / eta.
      const double throughput = wear ? p.vehicle_wear[i].throughput_eur_per_kwh : 0.0;
      if (guard && std::isfinite(p.guardrails[i].extra_wear_budget_eur)) {
        charge.emplace_back(budget_row[i], throughput * v.eta_charge[i] * dt);
        discharge.emplace_back(budget_row[i], throughput / v.eta_discharge[i] * dt);
      }
      if (guard && std::isfinite(p.guardrails[i].discharge_cap_kwh)) discharge.emplace_back(cap_row[i], dt);
      c.c = cols.add(0, v.charge_max_kw[i] * f, (p.import_price_eur_per_kwh[t] + throughput * v.eta_charge[i]) * dt, charge);
      c.d = v.discharge_max_kw[i] > 0
                ? cols.add(0, v.discharge_max_kw[i] * f,
                           -(p.export_price_eur_per_kwh[t] - p.wear_eur_per_kwh - throughput / v.eta_discharge[i]) * dt,
                           discharge)
                : -1;
      c.e = cols.add(v.e_min_kwh[i], v.e_max_kwh[i], 0.0,
                     {{bal, 1.0}, {k + 1 < w ? bal + 1 : -1, -1.0}, {k + 1 == w ? target_row[i] : -1, 1.0}});
      if (wear && !p.vehicle_wear[i].calendar_lines.empty()) calendar.push_back({i, c.e, t});
    }
    shortfall_col[i] = cols.add(0, inf, shortfall_penalty, {{target_row[i], 1.0}});
  }

  // Soft floors: per vehicle-step a slack below the floor, at the floor penalty.
  if (p.has_soft_floors()) {
    for (size_t i = 0; i < n; ++i) {
      for (int k = 0; k < v.window(i); ++k) {
        const size_t at_step = offset[i] + static_cast<size_t>(k);
        if (p.soft_floor_kwh[at_step] <= v.e_min_kwh[i]) continue;  // the window's own floor: nothing to add
        int row = static_cast<int>(row_lo.size());
        row_lo.push_back(p.soft_floor_kwh[at_step]);
        row_hi.push_back(inf);
        extra_entries.push_back({at[at_step].e, row, 1.0});
        cols.add(0, inf, p.soft_floor_penalty_eur_per_kwh, {{row, 1.0}});
      }
    }
  }
  // Centring: per vehicle-step, the energy's distance from its corridor's middle in two pieces each way (a
  // quarter of the corridor at half the rate, the rest at 1.5 times it), so the penalty is convex.
  if (p.centring_eur_per_h > 0) {
    for (size_t i = 0; i < n; ++i) {
      EnergyCorridor corridor = energy_corridor(p, i);
      for (size_t k = 0; k < corridor.low_kwh.size(); ++k) {
        double mid = (corridor.low_kwh[k] + corridor.high_kwh[k]) / 2;
        double half = std::max(1e-3, (corridor.high_kwh[k] - corridor.low_kwh[k]) / 2);
        double rate = p.centring_eur_per_h * dt / half;  // EUR per kWh off the middle, at the edge on average
        int row = static_cast<int>(row_lo.size());
        row_lo.push_back(mid);
        row_hi.push_back(mid);
        extra_entries.push_back({at[offset[i] + k].e, row, 1.0});
        for (double side : {-1.0, 1.0}) {  // above the middle, below it
          cols.add(0, half / 2, rate / 2, {{row, side}});
          cols.add(0, inf, rate * 1.5, {{row, side}});
        }
      }
    }
  }

  // Deviation from a followed profile: per step a column above it and one below.
  const double deviation_penalty = p.deviation_penalty_eur_per_kwh();
  if (follow) {
    for (int t = 0; t < p.steps; ++t) {
      double cost = deviation_penalty * dt * p.deviation_weight(t);
      int row = limit_row[0][static_cast<size_t>(t)];
      cols.add(0, inf, cost, {{row, 1.0}});
      cols.add(0, inf, cost, {{row, -1.0}});
    }
  }

  // Holding one power over a run of steps: a column P and one equality row per held step.
  int hold_col = -1;
  if (p.hold_steps > 0) {
    std::vector<std::pair<int, double>> entries;
    std::vector<int> hold_row(static_cast<size_t>(p.steps), -1);
    for (int t = p.hold_first_step; t < p.hold_first_step + p.hold_steps && t < p.steps; ++t) {
      hold_row[t] = static_cast<int>(row_lo.size());
      row_lo.push_back(0.0);
      row_hi.push_back(0.0);
      entries.emplace_back(hold_row[t], -static_cast<double>(p.hold_direction));
    }
    // The held vehicles' power enters the hold rows (rows appended after the columns were built).
    for (size_t i = 0; i < n; ++i) {
      bool in_group = false;
      groups.for_chain(i, [&](int g) { in_group |= g == p.hold_group; });
      if (!in_group) continue;
      for (int k = 0; k < v.window(i); ++k) {
        int t = v.first_step[i] + k;
        if (hold_row[t] < 0) continue;
        extra_entries.push_back({at[offset[i] + static_cast<size_t>(k)].c, hold_row[t], 1.0});
        if (at[offset[i] + static_cast<size_t>(k)].d >= 0) extra_entries.push_back({at[offset[i] + static_cast<size_t>(k)].d, hold_row[t], -1.0});
      }
    }
    // Free in sign: a fleet that must draw power then to keep its owners whole can hold a negative delivery.
    double lo = p.hold_fixed_kw.value_or(-inf), hi = p.hold_fixed_kw.value_or(inf);
    double reward = p.hold_fixed_kw ? 0.0 : -deviation_penalty * dt * p.hold_steps;
    hold_col = cols.add(lo, hi, reward, entries);
  }

  ClpSimplex model;
  model.setLogLevel(0);
  // Calendar wear rows: h >= slope * E + intercept for each line; h costs dt (it is EUR per hour).
  std::vector<int> calendar_col;
  for (const WearCol& wc : calendar) {
    std::vector<std::pair<int, double>> entries;
    for (auto [slope, intercept] : p.vehicle_wear[wc.vehicle].calendar_lines) {
      int row = static_cast<int>(row_lo.size());
      row_lo.push_back(intercept);
      row_hi.push_back(inf);
      entries.emplace_back(row, 1.0);
      extra_entries.push_back({wc.energy_col, row, -slope});
    }
    int budget = budget_row[wc.vehicle];
    if (budget >= 0) entries.emplace_back(budget, dt);
    calendar_col.push_back(cols.add(-inf, inf, dt, entries));
  }
  if (p.shortfall_cap_kwh) {
    int cap_row = static_cast<int>(row_lo.size());
    row_lo.push_back(-inf);
    row_hi.push_back(*p.shortfall_cap_kwh);
    for (size_t i = 0; i < n; ++i) extra_entries.push_back({shortfall_col[i], cap_row, 1.0});
  }
  if (!extra_entries.empty()) cols.insert(extra_entries);
  model.loadProblem(static_cast<int>(cols.lower.size()), static_cast<int>(row_lo.size()), cols.start.data(),
                    cols.index.data(), cols.value.data(), cols.lower.data(), cols.upper.data(), cols.cost.data(),
                    row_lo.data(), row_hi.data());
  // Barrier with crossover to a vertex: on these LPs ~25x faster than dual simplex (N = 1,000 V2G: 2.3 s against
  // 63 s), same optimum.
  ClpSolve options;
  options.setSolveType(ClpSolve::useBarrier);
  options.setPresolveType(ClpSolve::presolveOn);
  model.initialSolve(options);
  if (model.status() != 0) {
    return Error{"the exact planner's LP did not solve (CLP status " + std::to_string(model.status()) +
                 (model.status() == 1 ? ": infeasible, e.g. a site limit below zero, or a hold or profile no car can give" : "") + ")"};
  }
  const double* x = model.primalColumnSolution();
  Plan plan;
  plan.offset = offset;
  plan.shortfall_kwh.resize(n);
  std::vector<double> charge_kw(offset[n]), discharge_kw(offset[n]);
  for (size_t i = 0; i < n; ++i) {
    for (int k = 0; k < v.window(i); ++k) {
      const size_t at_step = offset[i] + static_cast<size_t>(k);
      const Cols& c = at[at_step];
      charge_kw[at_step] = std::max(0.0, x[c.c]);
      discharge_kw[at_step] = c.d >= 0 ? std::max(0.0, x[c.d]) : 0.0;
    }
    plan.shortfall_kwh[i] = std::max(0.0, x[shortfall_col[i]]);
  }
  set_single_direction(p, charge_kw, discharge_kw, plan);
  // What the plan reports about the fleet comes from the powers the chargers get (the same as the LP's unless
  // a car had to charge and discharge in one step).
  const bool as_solved = plan.simultaneous_steps == 0;
  if (hold_col >= 0) {
    plan.hold_kw = x[hold_col];
    if (!as_solved) {
      auto held = group_power_kw(p, plan, p.hold_group);
      for (int t = p.hold_first_step; t < std::min(p.steps, p.hold_first_step + p.hold_steps); ++t) {
        plan.hold_kw = std::min(plan.hold_kw, p.hold_direction * held[static_cast<size_t>(t)]);
      }
    }
  }
  if (as_solved) {
    for (int col : calendar_col) plan.battery_wear_eur += x[col] * dt;
    for (size_t i = 0; wear && i < n; ++i) {
      for (int k = 0; k < v.window(i); ++k) {
        const Cols& c = at[offset[i] + static_cast<size_t>(k)];
        double moved = x[c.c] * v.eta_charge[i] * dt + (c.d >= 0 ? x[c.d] / v.eta_discharge[i] * dt : 0.0);
        plan.battery_wear_eur += p.vehicle_wear[i].throughput_eur_per_kwh * moved;
      }
    }
  } else {
    for (double eur : plan_battery_wear_eur(p, plan)) plan.battery_wear_eur += eur;
  }
  PlanCheck check = check_plan(p, plan);
  if (follow) {
    plan.deviation_kw.resize(static_cast<size_t>(p.steps));
    for (int t = 0; t < p.steps; ++t) plan.deviation_kw[t] = p.fleet_profile_kw[t] - check.fleet_kw[static_cast<size_t>(t)];
  }
  plan.energy_cost_eur = check.energy_cost_eur;
  plan.wear_cost_eur = check.wear_cost_eur;
  plan.objective_eur = model.objectiveValue();
  plan.lower_bound_eur = model.objectiveValue();
  plan.iterations = model.numberIterations();
  return plan;
}

}  // namespace voltpool
