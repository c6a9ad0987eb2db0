#include "plan/fast_solver.hpp"

#include <ClpSimplex.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <thread>

#include "plan/storage_response.hpp"
#include "plan/vehicle_response.hpp"

namespace voltpool {

namespace {

// One pricing pass over the fleet at the rows' surcharges `lambda` (EUR per kW of step-mean power).
struct Pass {
  std::vector<double> row_kw;  // the fleet's or feeder's power in each master row
  double cost_eur = 0;         // true cost of the responses (energy + shortfall penalty)
  double shortfall_kwh = 0;
  double lagrangian_eur = 0;   // sum of the vehicles' priced optima - the limits' share (a lower bound)
};

// Runs body(begin, end, worker) over [0, n) split into contiguous chunks, one thread per core.
template <class Body>
void parallel_chunks(size_t n, unsigned workers, Body body) {
  if (workers <= 1 || n < 4096) {
    body(size_t{0}, n, 0u);
    return;
  }
  std::vector<std::thread> threads;
  for (unsigned w = 0; w < workers; ++w) {
    size_t begin = n * w / workers, end = n * (w + 1) / workers;
    threads.emplace_back([=] { body(begin, end, w); });
  }
  for (auto& t : threads) t.join();
}

// The decomposition's rows: one per limited step of the fleet and of each feeder. A vehicle's surcharge at a
// step is the sum of the surcharges of the groups it counts in, so vehicles of one innermost group share
// prices and one ranking.
class Decomposition {
 public:
  explicit Decomposition(const PlanningProblem& p)
      : p_(p),
        groups_(p),
        penalty_(p.shortfall_penalty_eur_per_kwh()),
        workers_(std::max(1u, std::min(4u, std::thread::hardware_concurrency()))) {
    const bool discharge = p.any_discharge();
    for (size_t g = 0; g < groups_.size(); ++g) {
      for (int t = 0; t < p.steps; ++t) {
        if (g == 0 && !p.fleet_profile_kw.empty()) {
          rows_.push_back(Row{0, t, kNoLimit, kNoLimit, true, p.fleet_profile_kw[t]});
          continue;
        }
        double imp = (*groups_.import_kw[g])[t], exp = (*groups_.export_kw[g])[t];
        if (!std::isfinite(imp) && !(discharge && std::isfinite(exp))) continue;
        rows_.push_back(Row{static_cast<int>(g), t, imp, discharge ? exp : kNoLimit, false, 0});
      }
    }
    size_t longest = 0;
    for (size_t i = 0; i < p.vehicles.size(); ++i) longest = std::max(longest, static_cast<size_t>(p.vehicles.window(i)));
    scratch_.assign(workers_, std::vector<double>(longest));
    storage_scratch_.resize(workers_);
  }

  struct Row {
    int group, step;
    double import_kw, export_kw;  // kNoLimit where that side is free
    bool follows = false;         // an equality row: the fleet follows profile_kw
    double profile_kw = 0;
  };
  const std::vector<Row>& rows() const { return rows_; }

  // Per innermost group: charge prices, discharge revenues and the charge-price ranking at surcharges lambda.
  struct GroupPrices {
    std::vector<double> charge, revenue;
    std::vector<int> ranking;
  };
  std::vector<GroupPrices> prices(const std::vector<double>& lambda) const {
    std::vector<std::vector<double>> surcharge(groups_.size(), std::vector<double>(static_cast<size_t>(p_.steps), 0.0));
    for (size_t r = 0; r < rows_.size(); ++r) surcharge[rows_[r].group][rows_[r].step] += lambda[r] / p_.dt_h;
    std::vector<GroupPrices> out(groups_.size());
    for (size_t g = 0; g < groups_.size(); ++g) {
      GroupPrices& gp = out[g];
      gp.charge = p_.import_price_eur_per_kwh;
      gp.revenue = p_.export_price_eur_per_kwh;
      for (double& x : gp.revenue) x -= p_.wear_eur_per_kwh;
      for (int h = static_cast<int>(g); h >= 0; h = groups_.parent[static_cast<size_t>(h)]) {
        for (int t = 0; t < p_.steps; ++t) {
          gp.charge[t] += surcharge[h][t];
          gp.revenue[t] += surcharge[h][t];
        }
      }
      gp.ranking = rank_steps(gp.charge);
    }
    return out;
  }

  ResponseCost respond(size_t i, const GroupPrices& gp, std::span<double> kw, unsigned w) {
    if (p_.vehicles.discharge_max_kw[i] > 0) {
      return storage_response(p_, i, gp.charge, gp.revenue, penalty_, kw, storage_scratch_[w]);
    }
    return charge_only_response(p_, i, gp.charge, gp.ranking, penalty_, kw);
  }

  Pass price(const std::vector<double>& lambda) {
    auto gp = prices(lambda);
    const PlanVehicles& v = p_.vehicles;
    const size_t groups = groups_.size(), steps = static_cast<size_t>(p_.steps);
    struct Partial {
      std::vector<double> group_kw;  // power of the vehicles whose innermost group is g, per step
      double cost = 0, shortfall = 0, lagrangian = 0;
    };
    std::vector<Partial> partial(workers_);
    parallel_chunks(v.size(), workers_, [&](size_t begin, size_t end, unsigned w) {
      Partial& out = partial[w];
      out.group_kw.assign(groups * steps, 0.0);
      for (size_t i = begin; i < end; ++i) {
        std::span<double> kw(scratch_[w].data(), static_cast<size_t>(v.window(i)));
        size_t g = static_cast<size_t>(groups_.vehicle_group[i]);
        ResponseCost c = respond(i, gp[g], kw, w);
        out.cost += c.energy_eur + penalty_ * c.shortfall_kwh;
        out.shortfall += c.shortfall_kwh;
        out.lagrangian += c.priced_eur;
        double* agg = out.group_kw.data() + g * steps + static_cast<size_t>(v.first_step[i]);
        for (size_t k = 0; k < kw.size(); ++k) agg[k] += kw[k];
      }
    });
    std::vector<double> own(groups * steps, 0.0);
    Pass pass;
    for (const Partial& part : partial) {
      if (part.group_kw.empty()) continue;
      pass.cost_eur += part.cost;
      pass.shortfall_kwh += part.shortfall;
      pass.lagrangian_eur += part.lagrangian;
      for (size_t k = 0; k < own.size(); ++k) own[k] += part.group_kw[k];
    }
    // A group's power is its own vehicles' plus its sub-feeders': children are listed after their parents.
    for (size_t g = groups; g-- > 1;) {
      size_t parent = static_cast<size_t>(groups_.parent[g]);
      for (size_t t = 0; t < steps; ++t) own[parent * steps + t] += own[g * steps + t];
    }
    pass.row_kw.resize(rows_.size());
    for (size_t r = 0; r < rows_.size(); ++r) {
      pass.row_kw[r] = own[static_cast<size_t>(rows_[r].group) * steps + static_cast<size_t>(rows_[r].step)];
    }
    pass.lagrangian_eur -= limit_term(lambda);
    return pass;
  }

  // The limits' share of the Lagrangian: lambda * import limit where lambda > 0, |lambda| * export limit below.
  double limit_term(const std::vector<double>& lambda) const {
    double term = 0;
    for (size_t r = 0; r < rows_.size(); ++r) {
      if (rows_[r].follows) {
        term += lambda[r] * rows_[r].profile_kw;
        continue;
      }
      if (lambda[r] > 0) term += lambda[r] * rows_[r].import_kw;
      if (lambda[r] < 0) term += -lambda[r] * rows_[r].export_kw;
    }
    return term;
  }

  // Adds mu * (each vehicle's response at lambda) to the plan; marks in `directions` (per vehicle-step, bit 0
  // charging, bit 1 discharging) which way the responses went.
  void accumulate(const std::vector<double>& lambda, double mu, Plan& plan, std::vector<unsigned char>& directions) {
    auto gp = prices(lambda);
    const PlanVehicles& v = p_.vehicles;
    parallel_chunks(v.size(), workers_, [&](size_t begin, size_t end, unsigned w) {
      for (size_t i = begin; i < end; ++i) {
        std::span<double> kw(scratch_[w].data(), static_cast<size_t>(v.window(i)));
        respond(i, gp[static_cast<size_t>(groups_.vehicle_group[i])], kw, w);
        double* out = plan.kw.data() + plan.offset[i];
        unsigned char* dir = directions.data() + plan.offset[i];
        for (size_t k = 0; k < kw.size(); ++k) {
          out[k] += mu * kw[k];
          dir[k] |= kw[k] > 1e-9 ? 1 : (kw[k] < -1e-9 ? 2 : 0);
        }
      }
    });
  }

 private:
  const PlanningProblem& p_;
  LimitGroups groups_;
  double penalty_;
  unsigned workers_;
  std::vector<Row> rows_;
  std::vector<std::vector<double>> scratch_;  // per worker
  std::vector<StorageScratch> storage_scratch_;  // per worker
};

}  // namespace

Result<Plan> solve_fast(const PlanningProblem& p, const FastSolverOptions& opt) {
  if (p.has_battery_models()) {
    return Error{"the fast planner does not carry battery wear models or owner guardrails: use the exact solver"};
  }
  for (int t = 0; t < p.steps; ++t) {
    if (p.import_limit_kw[t] < 0 || p.export_limit_kw[t] < 0) {
      return Error{"site limit below zero at step " + std::to_string(t)};
    }
    for (size_t f = 0; f < p.feeders.size(); ++f) {
      if (p.feeders[f].import_limit_kw[t] < 0 || p.feeders[f].export_limit_kw[t] < 0) {
        return Error{"feeder " + std::to_string(f) + " limit below zero at step " + std::to_string(t)};
      }
    }
  }
  const PlanVehicles& v = p.vehicles;
  const size_t n = v.size();
  Decomposition dw(p);
  const auto& limit_rows = dw.rows();
  const int rows = static_cast<int>(limit_rows.size());

  // The master works per vehicle (rows, limits and costs divided by N) so that its numbers stay near 1 for any
  // fleet size; the step duals are unchanged by that scaling, the convexity dual and the objective scale by it.
  const double scale = 1.0 / std::max<double>(1.0, static_cast<double>(n));
  ClpSimplex master;
  master.setLogLevel(0);
  // No CLP scaling: the master is scaled already, and CLP's own scaling let it call a master with improving
  // columns optimal ("scaled problem optimal, unscaled problem has dual infeasibilities").
  master.scaling(0);
  // Following a profile asks for the fleet's power to 1e-6 kW: the master's rows are per vehicle, so its
  // tolerance is tightened with the fleet size.
  const bool follow = !p.fleet_profile_kw.empty();
  if (follow) master.setPrimalTolerance(std::max(1e-12, 1e-8 * scale));
  const double relative_gap = follow ? std::min(opt.relative_gap, 1e-12) : opt.relative_gap;
  {
    std::vector<double> lo(static_cast<size_t>(rows) + 1), hi(static_cast<size_t>(rows) + 1);
    for (int r = 0; r < rows; ++r) {
      const auto& row = limit_rows[r];
      if (row.follows) {
        lo[r] = hi[r] = row.profile_kw * scale;
        continue;
      }
      hi[r] = std::isfinite(row.import_kw) ? row.import_kw * scale : COIN_DBL_MAX;
      lo[r] = std::isfinite(row.export_kw) ? -row.export_kw * scale : -COIN_DBL_MAX;
    }
    lo[rows] = hi[rows] = 1.0;  // convexity
    master.resize(0, 0);
    master.addRows(rows + 1, lo.data(), hi.data(), nullptr, nullptr, nullptr);
    // Deviation from a followed profile: two columns per row, in the master's scaled units.
    for (int r = 0; r < rows; ++r) {
      if (!limit_rows[r].follows) continue;
      double cost = p.deviation_cost_eur_per_kw(limit_rows[r].step);
      for (double sign : {1.0, -1.0}) master.addColumn(1, &r, &sign, 0.0, COIN_DBL_MAX, cost);
    }
  }
  const int first_fleet_column = master.numberColumns();
  std::vector<std::vector<double>> column_lambda;  // the surcharges each column was priced at
  std::vector<double> column_shortfall;
  auto add_column = [&](const Pass& pass, const std::vector<double>& lambda) {
    std::vector<int> idx;
    std::vector<double> val;
    for (int r = 0; r < rows; ++r) {
      double a = pass.row_kw[r] * scale;
      if (a != 0) {
        idx.push_back(r);
        val.push_back(a);
      }
    }
    idx.push_back(rows);
    val.push_back(1.0);
    master.addColumn(static_cast<int>(idx.size()), idx.data(), val.data(), 0.0, COIN_DBL_MAX, pass.cost_eur * scale);
    column_lambda.push_back(lambda);
    column_shortfall.push_back(pass.shortfall_kwh);
  };

  // Start from doing nothing (feasible: every limit >= 0) and from the fleet's unconstrained optimum.
  std::vector<double> zero(static_cast<size_t>(rows), 0.0);
  Pass idle;
  idle.row_kw.assign(static_cast<size_t>(rows), 0.0);
  for (size_t i = 0; i < n; ++i) idle.shortfall_kwh += std::max(0.0, v.target_kwh[i] - v.e0_kwh[i]);
  idle.cost_eur = p.shortfall_penalty_eur_per_kwh() * idle.shortfall_kwh;
  add_column(idle, {});
  Pass first = dw.price(zero);
  add_column(first, zero);
  double best_bound = first.lagrangian_eur;
  std::vector<double> center = zero;

  Plan plan;
  int it = 0;
  double upper = 0;
  bool mispriced = false;
  for (; it < opt.max_iterations; ++it) {
    master.primal();
    if (master.status() != 0) return Error{"the fast planner's master LP failed (CLP status " + std::to_string(master.status()) + ")"};
    upper = master.objectiveValue() / scale;
    // The gap is measured against the money part of the objective (the shortfall penalty is a constant offset
    // whenever some target is out of reach).
    double shortfall = 0;
    const double* mu_now = master.primalColumnSolution();
    for (size_t k = 0; k < column_shortfall.size(); ++k) shortfall += mu_now[first_fleet_column + k] * column_shortfall[k];
    double money = upper - p.shortfall_penalty_eur_per_kwh() * shortfall;
    const double tolerance_eur = relative_gap * std::max(1.0, std::abs(money));
    if (upper - best_bound <= tolerance_eur) break;
    const double* y = master.dualRowSolution();
    std::vector<double> lambda_master(static_cast<size_t>(rows));
    for (int r = 0; r < rows; ++r) {
      // A ranged row's dual: negative where the import limit binds, positive where the export limit does.
      lambda_master[r] = -y[r];
      if (limit_rows[r].follows) continue;
      if (!std::isfinite(limit_rows[r].import_kw)) lambda_master[r] = std::min(lambda_master[r], 0.0);
      if (!std::isfinite(limit_rows[r].export_kw)) lambda_master[r] = std::max(lambda_master[r], 0.0);
    }
    double alpha = mispriced ? 0.0 : opt.smoothing;
    std::vector<double> lambda(static_cast<size_t>(rows));
    for (int r = 0; r < rows; ++r) lambda[r] = alpha * center[r] + (1 - alpha) * lambda_master[r];
    Pass pass = dw.price(lambda);
    if (pass.lagrangian_eur > best_bound) {
      best_bound = pass.lagrangian_eur;
      center = lambda;
    }
    // Reduced cost at the master's duals: negative means the column improves the master.
    double reduced = pass.cost_eur - y[rows] / scale;
    for (int r = 0; r < rows; ++r) reduced -= y[r] * pass.row_kw[r];
    mispriced = reduced >= -tolerance_eur;
    if (mispriced && alpha == 0.0) break;  // no improving column at the master's own duals: optimal
    add_column(pass, lambda);
  }

  // Every vehicle takes the master's convex combination of its own responses.
  const double* mu = master.primalColumnSolution();
  plan.offset.assign(n + 1, 0);
  for (size_t i = 0; i < n; ++i) plan.offset[i + 1] = plan.offset[i] + static_cast<size_t>(v.window(i));
  plan.kw.assign(plan.offset[n], 0.0);
  std::vector<unsigned char> directions(plan.offset[n], 0);
  for (size_t k = 1; k < column_lambda.size(); ++k) {  // fleet column 0 is idle: contributes nothing
    double weight = mu[first_fleet_column + static_cast<int>(k)];
    if (weight > 1e-12) dw.accumulate(column_lambda[k], weight, plan, directions);
  }
  plan.simultaneous_steps = static_cast<int>(std::count(directions.begin(), directions.end(), 3));
  PlanCheck check = check_plan(p, plan);
  plan.shortfall_kwh.assign(n, 0.0);
  for (size_t i = 0; i < n; ++i) {
    double stored = 0;
    for (double kw : plan.of(i)) stored += (kw >= 0 ? kw * v.eta_charge[i] : kw / v.eta_discharge[i]) * p.dt_h;
    plan.shortfall_kwh[i] = std::max(0.0, v.target_kwh[i] - v.e0_kwh[i] - stored);
  }
  plan.energy_cost_eur = check.energy_cost_eur;
  plan.wear_cost_eur = check.wear_cost_eur;
  plan.objective_eur = check.energy_cost_eur + check.wear_cost_eur + p.shortfall_penalty_eur_per_kwh() * check.shortfall_kwh;
  if (!p.fleet_profile_kw.empty()) {
    auto fleet = fleet_power_kw(p, plan);
    plan.deviation_kw.resize(static_cast<size_t>(p.steps));
    for (int t = 0; t < p.steps; ++t) {
      plan.deviation_kw[t] = p.fleet_profile_kw[t] - fleet[t];
      plan.objective_eur += p.deviation_cost_eur_per_kw(t) * std::abs(plan.deviation_kw[t]);
    }
  }
  plan.lower_bound_eur = std::min(best_bound, plan.objective_eur);
  plan.iterations = std::min(it + 1, opt.max_iterations);  // master solves
  return plan;
}

}  // namespace voltpool
