#include "plan/fast_solver.hpp"

#include <ClpSimplex.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <memory>
#include <thread>

#include "plan/decomposition.hpp"
#include "plan/single_direction.hpp"

namespace voltpool {

namespace {

// Where the decomposition starts: a dual point near the optimum (found on a sample of the fleet), at which the
// fleet is priced twice with its ties broken towards the limits (Decomposition::tie_broken_pass): stored
// columns, and lower bounds.
struct WarmStart {
  std::vector<double> lambda;
};

// The tie-break offset of tie_broken_pass, EUR per kW of step-mean power: far below any price difference of
// real tariffs (0.01 EUR/MWh), far above rounding, and small enough that the bound it costs (the offset times
// the power a car can move) stays far below the gap the planner stops at.
constexpr double kTieBreakEurPerKw = 1e-10;
// Once the gap is below this with a warm start, new dual points stay this close to the best one: its columns
// only need to settle how the cars split their ties.
constexpr double kWarmGap = 1e-3;
constexpr double kWarmSmoothing = 0.9999;
constexpr int kWarmPasses = 8;  // after that many, a start point that did not settle it is smoothed as usual
// A warm start's master mixes the tie-broken columns per cluster: more clusters let it meet every binding limit
// from those columns alone (V2G 100k: 16 clusters 11 master solves, 64 one).
constexpr int kWarmClusters = 64;
constexpr size_t kSmallestSample = 200;  // a sample's own sample: no smaller

Result<Plan> run_decomposition(const PlanningProblem& p, const FastSolverOptions& opt, const WarmStart* warm,
                               std::vector<double>* best_lambda);

// The problem on about `vehicles` of the fleet's vehicles, picked by a hash of their index (no period of the
// fleet's order can line up with it), its limits scaled to their share of the fleet.
PlanningProblem sample_problem(const PlanningProblem& p, size_t vehicles) {
  PlanningProblem q = p;
  const PlanVehicles& v = p.vehicles;
  const uint64_t stride = std::max<uint64_t>(1, v.size() / vehicles);
  q.vehicles = PlanVehicles{};
  q.vehicle_wear.clear();
  q.soft_floor_kwh.clear();
  size_t floor_at = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    const size_t window = static_cast<size_t>(v.window(i));
    if (((static_cast<uint64_t>(i) * 0x9E3779B97F4A7C15ull) >> 32) % stride == 0) {
      q.vehicles.add(v.first_step[i], v.end_step[i], v.first_fraction[i], v.last_fraction[i], v.charge_max_kw[i],
                     v.discharge_max_kw[i], v.e0_kwh[i], v.e_min_kwh[i], v.e_max_kwh[i], v.target_kwh[i],
                     v.eta_charge[i], v.eta_discharge[i], v.feeder[i]);
      if (!p.vehicle_wear.empty()) q.vehicle_wear.push_back(p.vehicle_wear[i]);
      if (!p.soft_floor_kwh.empty()) {
        const auto from = p.soft_floor_kwh.begin() + static_cast<std::ptrdiff_t>(floor_at);
        q.soft_floor_kwh.insert(q.soft_floor_kwh.end(), from, from + static_cast<std::ptrdiff_t>(window));
      }
    }
    floor_at += window;
  }
  const double share = static_cast<double>(q.vehicles.size()) / static_cast<double>(std::max<size_t>(1, v.size()));
  for (double& kw : q.import_limit_kw) kw *= share;
  for (double& kw : q.export_limit_kw) kw *= share;
  for (double& kw : q.fleet_profile_kw) kw *= share;
  return q;
}

// Large fleets that may discharge or follow a profile start from the dual point of a sample (see
// FastSolverOptions), itself planned from a sample a quarter its size while that is still large enough to pay.
Result<Plan> plan_from_sample(const PlanningProblem& p, const FastSolverOptions& opt,
                              std::vector<double>* best_lambda) {
  if (opt.sample_vehicles > 0 && p.vehicles.size() > opt.sample_above && 2 * opt.sample_vehicles <= p.vehicles.size() &&
      (p.any_discharge() || !p.fleet_profile_kw.empty()) && !p.has_feeder_limits()) {
    std::vector<double> lambda;
    FastSolverOptions sample_options = opt;
    sample_options.sample_vehicles = opt.sample_vehicles / 4 >= kSmallestSample ? opt.sample_vehicles / 4 : 0;
    sample_options.sample_above = 2 * sample_options.sample_vehicles;
    auto sample = plan_from_sample(sample_problem(p, opt.sample_vehicles), sample_options, &lambda);
    if (sample.ok()) {
      WarmStart warm{std::move(lambda)};
      return run_decomposition(p, opt, &warm, best_lambda);
    }
  }
  return run_decomposition(p, opt, nullptr, best_lambda);
}

}  // namespace

Result<Plan> solve_fast(const PlanningProblem& p, const FastSolverOptions& opt) {
  if (opt.max_iterations < 1) return Error{"the fast planner needs at least one iteration"};
  if (!p.soft_floor_kwh.empty()) {
    size_t vehicle_steps = 0;
    for (size_t i = 0; i < p.vehicles.size(); ++i) vehicle_steps += static_cast<size_t>(p.vehicles.window(i));
    if (p.soft_floor_kwh.size() != vehicle_steps) return Error{"soft floors: one value per vehicle-step is needed"};
  }
  if (!p.guardrails.empty()) return Error{"the fast planner does not carry owner guardrails: use the exact solver"};
  if (!p.vehicle_wear.empty() && p.vehicle_wear.size() != p.vehicles.size()) {
    return Error{"battery wear: one model per vehicle is needed"};
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
  return plan_from_sample(p, opt, nullptr);
}

namespace {

Result<Plan> run_decomposition(const PlanningProblem& p, const FastSolverOptions& opt, const WarmStart* warm,
                               std::vector<double>* best_lambda) {
  const PlanVehicles& v = p.vehicles;
  const size_t n = v.size();
  // A start point fits when it has one surcharge per master row (a sample without a car that may discharge
  // has no export rows); otherwise the decomposition starts from zero.
  const bool warm_started = warm != nullptr && warm->lambda.size() == master_rows(p).size();
  const int clusters_wanted =
      opt.clusters > 0 ? opt.clusters
      : warm_started ? kWarmClusters
                       : (p.any_discharge() || p.has_soft_floors() || !p.vehicle_wear.empty() || !p.fleet_profile_kw.empty() ? 16
                                                                                 : std::clamp(static_cast<int>(n / 5000), 1, 16));
  Decomposition dw(p, clusters_wanted);
  const auto& limit_rows = dw.rows();
  const int rows = static_cast<int>(limit_rows.size());
  const size_t clusters = dw.clusters();

  // The master works per vehicle (rows, limits and costs divided by N) so that its numbers stay near 1 for any
  // fleet size; the step duals are unchanged by that scaling, the convexity duals and the objective scale by it.
  const double scale = 1.0 / std::max<double>(1.0, static_cast<double>(n));
  ClpSimplex master;
  master.setLogLevel(0);
  // No CLP scaling: the master is scaled already, and CLP's own scaling let it call a master with improving
  // columns optimal ("scaled problem optimal, unscaled problem has dual infeasibilities").
  master.scaling(0);
  master.setDualTolerance(1e-10);
  // Following a profile asks for the fleet's power to 1e-6 kW: the master's rows are per vehicle, so its
  // tolerance is tightened with the fleet size.
  const bool follow = !p.fleet_profile_kw.empty();
  if (follow) master.setPrimalTolerance(std::max(1e-12, 1e-8 * scale));
  const double relative_gap = follow ? std::min(opt.relative_gap, 1e-10) : opt.relative_gap;
  const int convexity = rows;  // rows [rows, rows + clusters): one convexity row per cluster
  {
    std::vector<double> lo(static_cast<size_t>(rows) + clusters), hi(static_cast<size_t>(rows) + clusters);
    for (int r = 0; r < rows; ++r) {
      const auto& row = limit_rows[r];
      if (row.follows) {
        lo[r] = hi[r] = row.profile_kw * scale;
        continue;
      }
      hi[r] = std::isfinite(row.import_kw) ? row.import_kw * scale : COIN_DBL_MAX;
      lo[r] = std::isfinite(row.export_kw) ? -row.export_kw * scale : -COIN_DBL_MAX;
    }
    for (size_t c = 0; c < clusters; ++c) lo[rows + c] = hi[rows + c] = 1.0;
    master.resize(0, 0);
    master.addRows(rows + static_cast<int>(clusters), lo.data(), hi.data(), nullptr, nullptr, nullptr);
    // Deviation from a followed profile: two columns per row, in the master's scaled units.
    for (int r = 0; r < rows; ++r) {
      if (!limit_rows[r].follows) continue;
      double cost = p.deviation_cost_eur_per_kw(limit_rows[r].step);
      for (double sign : {1.0, -1.0}) master.addColumn(1, &r, &sign, 0.0, COIN_DBL_MAX, cost);
    }
  }
  // A cluster's column: the pass it came from (-1: idle), its cluster, its penalties (shortfall and floors).
  struct Column {
    int pass;
    size_t cluster;
    double penalty_eur;
  };
  const int first_cluster_column = master.numberColumns();
  std::vector<Column> columns;
  std::vector<std::vector<double>> pass_lambda;  // the surcharges each pass was priced at
  auto add_column = [&](int pass_index, size_t c, std::span<const double> kw, double cost, double penalty_eur) {
    std::vector<int> idx;
    std::vector<double> val;
    for (int r = 0; kw.size() > 0 && r < rows; ++r) {
      if (!dw.counts_in(c, static_cast<size_t>(r))) continue;
      double a = kw[static_cast<size_t>(limit_rows[r].step)] * scale;
      if (a != 0) {
        idx.push_back(r);
        val.push_back(a);
      }
    }
    idx.push_back(convexity + static_cast<int>(c));
    val.push_back(1.0);
    master.addColumn(static_cast<int>(idx.size()), idx.data(), val.data(), 0.0, COIN_DBL_MAX, cost * scale);
    columns.push_back(Column{pass_index, c, penalty_eur});
  };

  // Start from doing nothing (feasible: every limit >= 0).
  const double penalty = p.shortfall_penalty_eur_per_kwh();
  for (size_t c = 0; c < clusters; ++c) {
    double idle_penalty = penalty * dw.idle_shortfall_kwh(c) + dw.idle_floor_eur(c);
    add_column(-1, c, {}, idle_penalty + dw.idle_cost_eur(c), idle_penalty);
  }
  // Without a warm start: the fleet's unconstrained optimum (all surcharges 0). With one: its point, where the
  // fleet's ties are broken towards the limits in two vehicle orders (one thread each where there are two),
  // columns whose per-vehicle schedules are kept (pass -2 - index); their Lagrangians bound the optimum.
  std::vector<double> start(static_cast<size_t>(rows), 0.0);
  if (warm_started) start = warm->lambda;
  double best_bound = -std::numeric_limits<double>::infinity();
  std::vector<double> center = start;
  struct StoredColumn {
    std::unique_ptr<double[]> charge_kw, discharge_kw;  // plan layout; every value written by the pass
  };
  std::vector<StoredColumn> stored;
  std::vector<size_t> offset(n + 1, 0);
  for (size_t i = 0; i < n; ++i) offset[i + 1] = offset[i] + static_cast<size_t>(v.window(i));
  if (warm_started) {
    stored.resize(2);
    for (StoredColumn& column : stored) {
      column.charge_kw.reset(new double[offset[n]]);
      column.discharge_kw.reset(new double[offset[n]]);
    }
    std::vector<Pass> tie_passes(stored.size());
    auto run = [&](size_t k) {
      const unsigned worker = dw.workers() > 1 ? static_cast<unsigned>(k) : 0u;
      tie_passes[k] = dw.tie_broken_pass(start, kTieBreakEurPerKw, k == 1, offset,
                                         {stored[k].charge_kw.get(), offset[n]},
                                         {stored[k].discharge_kw.get(), offset[n]}, worker);
    };
    if (dw.workers() > 1) {
      std::jthread second(run, size_t{1});
      run(0);
    } else {
      run(0);
      run(1);
    }
    for (size_t k = 0; k < tie_passes.size(); ++k) {
      const Pass& tp = tie_passes[k];
      best_bound = std::max(best_bound, tp.lagrangian_eur);
      for (size_t c = 0; c < clusters; ++c) {
        add_column(-2 - static_cast<int>(k), c, tp.kw_of(c), tp.cost_eur[c], penalty * tp.shortfall_kwh[c] + tp.floor_eur[c]);
      }
    }
  } else {
    Pass first = dw.price(start);
    pass_lambda.push_back(start);
    for (size_t c = 0; c < clusters; ++c) {
      add_column(0, c, first.kw_of(c), first.cost_eur[c], penalty * first.shortfall_kwh[c] + first.floor_eur[c]);
    }
    best_bound = first.lagrangian_eur;
  }

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
    double penalties = 0;
    const double* mu_now = master.primalColumnSolution();
    for (size_t k = 0; k < columns.size(); ++k) penalties += mu_now[first_cluster_column + static_cast<int>(k)] * columns[k].penalty_eur;
    double money = upper - penalties;
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
    const bool near = warm_started && it < kWarmPasses && upper - best_bound <= kWarmGap * std::max(1.0, std::abs(money));
    double alpha = mispriced ? 0.0 : (near ? kWarmSmoothing : opt.smoothing);
    std::vector<double> lambda(static_cast<size_t>(rows));
    for (int r = 0; r < rows; ++r) lambda[r] = alpha * center[r] + (1 - alpha) * lambda_master[r];
    Pass pass = dw.price(lambda);
    if (pass.lagrangian_eur > best_bound) {
      best_bound = pass.lagrangian_eur;
      center = lambda;
    }
    // Reduced costs at the master's duals: a negative one means the cluster's column improves the master.
    std::vector<double> reduced(clusters);
    double improvement = 0;
    for (size_t c = 0; c < clusters; ++c) {
      auto kw = pass.kw_of(c);
      reduced[c] = pass.cost_eur[c] - y[convexity + static_cast<int>(c)] / scale;
      for (int r = 0; r < rows; ++r) {
        if (dw.counts_in(c, static_cast<size_t>(r))) reduced[c] -= y[r] * kw[static_cast<size_t>(limit_rows[r].step)];
      }
      improvement += std::min(0.0, reduced[c]);
    }
    mispriced = improvement >= -tolerance_eur;
    if (mispriced && alpha == 0.0) break;  // no improving column at the master's own duals: optimal
    pass_lambda.push_back(lambda);
    for (size_t c = 0; c < clusters; ++c) {
      if (reduced[c] < -1e-12 * tolerance_eur) {
        add_column(static_cast<int>(pass_lambda.size() - 1), c, pass.kw_of(c), pass.cost_eur[c],
                   penalty * pass.shortfall_kwh[c] + pass.floor_eur[c]);
      }
    }
  }

  // Every vehicle takes its cluster's convex combination of its own responses.
  const double* mu = master.primalColumnSolution();
  std::vector<std::vector<double>> weight(pass_lambda.size(), std::vector<double>(clusters, 0.0));
  std::vector<std::vector<double>> stored_weight(stored.size(), std::vector<double>(clusters, 0.0));
  for (size_t k = 0; k < columns.size(); ++k) {
    double w = mu[first_cluster_column + static_cast<int>(k)];
    if (w <= 1e-12) continue;
    if (columns[k].pass >= 0) weight[static_cast<size_t>(columns[k].pass)][columns[k].cluster] = w;
    if (columns[k].pass <= -2) stored_weight[static_cast<size_t>(-2 - columns[k].pass)][columns[k].cluster] = w;
  }
  if (best_lambda != nullptr) *best_lambda = center;
  plan.offset = std::move(offset);
  std::vector<double> charge_kw(plan.offset[n], 0.0), discharge_kw(plan.offset[n], 0.0);
  for (size_t k = 0; k < pass_lambda.size(); ++k) {
    if (std::any_of(weight[k].begin(), weight[k].end(), [](double w) { return w > 0; })) {
      dw.accumulate(pass_lambda[k], weight[k], plan.offset, charge_kw, discharge_kw);
    }
  }
  for (size_t k = 0; k < stored.size(); ++k) {
    for (size_t i = 0; i < n; ++i) {
      const double w = stored_weight[k][static_cast<size_t>(dw.cluster_of(i))];
      if (w <= 0) continue;
      for (size_t x = plan.offset[i]; x < plan.offset[i + 1]; ++x) {
        charge_kw[x] += w * stored[k].charge_kw[x];
        discharge_kw[x] += w * stored[k].discharge_kw[x];
      }
    }
  }
  stored.clear();
  // Where a car's responses in the combination charge and discharge in one step, the charger gets one power.
  set_single_direction(p, charge_kw, discharge_kw, plan);
  account_plan(p, plan);
  plan.lower_bound_eur = std::min(best_bound, plan.objective_eur);
  plan.iterations = std::min(it + 1, opt.max_iterations);  // master solves
  return plan;
}

}  // namespace

}  // namespace voltpool
