#include "plan/fast_solver.hpp"

#include <ClpSimplex.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <thread>

#include "plan/vehicle_response.hpp"

namespace voltpool {

namespace {

// One pricing pass over the fleet at step surcharges `lambda` (EUR per kW of step-mean power).
struct Pass {
  std::vector<double> aggregate_kw;  // fleet power per step
  double cost_eur = 0;               // true cost of the responses (energy + shortfall penalty)
  double shortfall_kwh = 0;
  double lagrangian_eur = 0;         // sum of the vehicles' priced optima - sum lambda * limit (a lower bound)
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

class Decomposition {
 public:
  explicit Decomposition(const PlanningProblem& p)
      : p_(p),
        penalty_(p.shortfall_penalty_eur_per_kwh()),
        workers_(std::max(1u, std::min(4u, std::thread::hardware_concurrency()))) {
    bool discharge = p.any_discharge();
    for (int t = 0; t < p.steps; ++t) {
      if (std::isfinite(p.import_limit_kw[t]) || (discharge && std::isfinite(p.export_limit_kw[t]))) limited_.push_back(t);
    }
    size_t longest = 0;
    for (size_t i = 0; i < p.vehicles.size(); ++i) longest = std::max(longest, static_cast<size_t>(p.vehicles.window(i)));
    scratch_.assign(workers_, std::vector<double>(longest));
    v2g_scratch_.resize(workers_);
  }

  // Surcharges lambda (EUR per kW of step-mean fleet power; negative where the export limit binds) become
  // per-kWh charge prices and discharge revenues.
  std::pair<std::vector<double>, std::vector<double>> prices(const std::vector<double>& lambda) const {
    std::vector<double> charge = p_.import_price_eur_per_kwh, revenue = p_.export_price_eur_per_kwh;
    for (double& r : revenue) r -= p_.wear_eur_per_kwh;
    for (size_t r = 0; r < limited_.size(); ++r) {
      charge[limited_[r]] += lambda[r] / p_.dt_h;
      revenue[limited_[r]] += lambda[r] / p_.dt_h;
    }
    return {charge, revenue};
  }

  ResponseCost respond(size_t i, const std::vector<double>& charge, const std::vector<double>& revenue,
                       const std::vector<int>& ranking, std::span<double> kw, unsigned w) {
    if (p_.vehicles.discharge_max_kw[i] > 0) {
      return bidirectional_response(p_, i, charge, revenue, penalty_, kw, v2g_scratch_[w]);
    }
    return charge_only_response(p_, i, charge, ranking, penalty_, kw);
  }

  // The limits' share of the Lagrangian: sum of lambda * import limit (lambda > 0) or |lambda| * export limit.
  double limit_term(const std::vector<double>& lambda) const {
    double term = 0;
    for (size_t r = 0; r < limited_.size(); ++r) {
      int t = limited_[r];
      if (lambda[r] > 0) term += lambda[r] * p_.import_limit_kw[t];
      if (lambda[r] < 0) term += -lambda[r] * p_.export_limit_kw[t];
    }
    return term;
  }

  Pass price(const std::vector<double>& lambda) {
    auto [charge, revenue] = prices(lambda);
    auto ranking = rank_steps(charge);
    const PlanVehicles& v = p_.vehicles;
    std::vector<Pass> partial(workers_);
    parallel_chunks(v.size(), workers_, [&](size_t begin, size_t end, unsigned w) {
      Pass& pass = partial[w];
      pass.aggregate_kw.assign(static_cast<size_t>(p_.steps), 0.0);
      for (size_t i = begin; i < end; ++i) {
        std::span<double> kw(scratch_[w].data(), static_cast<size_t>(v.window(i)));
        ResponseCost c = respond(i, charge, revenue, ranking, kw, w);
        pass.cost_eur += c.energy_eur + penalty_ * c.shortfall_kwh;
        pass.shortfall_kwh += c.shortfall_kwh;
        pass.lagrangian_eur += c.priced_eur;
        double* agg = pass.aggregate_kw.data() + v.first_step[i];
        for (size_t k = 0; k < kw.size(); ++k) agg[k] += kw[k];
      }
    });
    Pass pass = std::move(partial[0]);
    if (pass.aggregate_kw.empty()) pass.aggregate_kw.assign(static_cast<size_t>(p_.steps), 0.0);
    for (unsigned w = 1; w < workers_; ++w) {
      if (partial[w].aggregate_kw.empty()) continue;
      pass.cost_eur += partial[w].cost_eur;
      pass.shortfall_kwh += partial[w].shortfall_kwh;
      pass.lagrangian_eur += partial[w].lagrangian_eur;
      for (int t = 0; t < p_.steps; ++t) pass.aggregate_kw[t] += partial[w].aggregate_kw[t];
    }
    pass.lagrangian_eur -= limit_term(lambda);
    return pass;
  }

  // Adds mu * (each vehicle's response at lambda) to the plan.
  void accumulate(const std::vector<double>& lambda, double mu, Plan& plan) {
    auto [charge, revenue] = prices(lambda);
    auto ranking = rank_steps(charge);
    const PlanVehicles& v = p_.vehicles;
    parallel_chunks(v.size(), workers_, [&](size_t begin, size_t end, unsigned w) {
      for (size_t i = begin; i < end; ++i) {
        std::span<double> kw(scratch_[w].data(), static_cast<size_t>(v.window(i)));
        respond(i, charge, revenue, ranking, kw, w);
        double* out = plan.kw.data() + plan.offset[i];
        for (size_t k = 0; k < kw.size(); ++k) out[k] += mu * kw[k];
      }
    });
  }

  const std::vector<int>& limited() const { return limited_; }

 private:
  const PlanningProblem& p_;
  double penalty_;
  unsigned workers_;
  std::vector<int> limited_;  // steps with an import limit: one master row each
  std::vector<std::vector<double>> scratch_;  // per worker
  std::vector<V2gScratch> v2g_scratch_;        // per worker
};

}  // namespace

Result<Plan> solve_fast(const PlanningProblem& p, const FastSolverOptions& opt) {
  for (size_t i = 0; i < p.vehicles.size(); ++i) {
    if (p.vehicles.discharge_max_kw[i] > 0 && (p.vehicles.eta_charge[i] != 1.0 || p.vehicles.eta_discharge[i] != 1.0)) {
      return Error{"the fast planner needs lossless bidirectional vehicles (efficiency 1); vehicle " +
                   std::to_string(i) + " has losses: plan it with the exact solver"};
    }
  }
  for (int t = 0; t < p.steps; ++t) {
    if (p.import_limit_kw[t] < 0 || p.export_limit_kw[t] < 0) {
      return Error{"site limit below zero at step " + std::to_string(t)};
    }
  }
  const PlanVehicles& v = p.vehicles;
  const size_t n = v.size();
  Decomposition dw(p);
  const auto& limited = dw.limited();
  const int rows = static_cast<int>(limited.size());

  // The master works per vehicle (rows, limits and costs divided by N) so that its numbers stay near 1 for any
  // fleet size; the step duals are unchanged by that scaling, the convexity dual and the objective scale by it.
  const double scale = 1.0 / std::max<double>(1.0, static_cast<double>(n));
  ClpSimplex master;
  master.setLogLevel(0);
  // No CLP scaling: the master is scaled already, and CLP's own scaling let it call a master with improving
  // columns optimal ("scaled problem optimal, unscaled problem has dual infeasibilities").
  master.scaling(0);
  {
    std::vector<double> lo(static_cast<size_t>(rows) + 1), hi(static_cast<size_t>(rows) + 1);
    for (int r = 0; r < rows; ++r) {
      int t = limited[r];
      hi[r] = std::isfinite(p.import_limit_kw[t]) ? p.import_limit_kw[t] * scale : COIN_DBL_MAX;
      lo[r] = std::isfinite(p.export_limit_kw[t]) && p.any_discharge() ? -p.export_limit_kw[t] * scale : -COIN_DBL_MAX;
    }
    lo[rows] = hi[rows] = 1.0;  // convexity
    master.resize(0, 0);
    master.addRows(rows + 1, lo.data(), hi.data(), nullptr, nullptr, nullptr);
  }
  std::vector<std::vector<double>> column_lambda;  // the surcharges each column was priced at
  std::vector<double> column_shortfall;
  auto add_column = [&](const Pass& pass, const std::vector<double>& lambda) {
    std::vector<int> idx;
    std::vector<double> val;
    for (int r = 0; r < rows; ++r) {
      double a = pass.aggregate_kw[limited[r]] * scale;
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
  idle.aggregate_kw.assign(static_cast<size_t>(p.steps), 0.0);
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
    for (size_t k = 0; k < column_shortfall.size(); ++k) shortfall += mu_now[k] * column_shortfall[k];
    double money = upper - p.shortfall_penalty_eur_per_kwh() * shortfall;
    if (upper - best_bound <= opt.relative_gap * std::max(1.0, std::abs(money))) break;
    const double* y = master.dualRowSolution();
    std::vector<double> lambda_master(static_cast<size_t>(rows));
    for (int r = 0; r < rows; ++r) {
      // A ranged row's dual: negative where the import limit binds, positive where the export limit does.
      int t = limited[r];
      lambda_master[r] = -y[r];
      if (!std::isfinite(p.import_limit_kw[t])) lambda_master[r] = std::min(lambda_master[r], 0.0);
      if (!std::isfinite(p.export_limit_kw[t]) || !p.any_discharge()) lambda_master[r] = std::max(lambda_master[r], 0.0);
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
    for (int r = 0; r < rows; ++r) reduced -= y[r] * pass.aggregate_kw[limited[r]];
    mispriced = reduced >= -1e-9 * std::max(1.0, std::abs(upper));
    if (mispriced && alpha == 0.0) break;  // no improving column at the master's own duals: optimal
    add_column(pass, lambda);
  }

  // Every vehicle takes the master's convex combination of its own responses.
  const double* mu = master.primalColumnSolution();
  plan.offset.assign(n + 1, 0);
  for (size_t i = 0; i < n; ++i) plan.offset[i + 1] = plan.offset[i] + static_cast<size_t>(v.window(i));
  plan.kw.assign(plan.offset[n], 0.0);
  for (size_t k = 1; k < column_lambda.size(); ++k) {  // column 0 is idle: contributes nothing
    if (mu[k] > 1e-12) dw.accumulate(column_lambda[k], mu[k], plan);
  }
  PlanCheck check = check_plan(p, plan);
  plan.shortfall_kwh.assign(n, 0.0);
  for (size_t i = 0; i < n; ++i) {
    double stored = 0;
    for (double kw : plan.of(i)) stored += kw * v.eta_charge[i] * p.dt_h;
    plan.shortfall_kwh[i] = std::max(0.0, v.target_kwh[i] - v.e0_kwh[i] - stored);
  }
  plan.energy_cost_eur = check.energy_cost_eur;
  plan.wear_cost_eur = check.wear_cost_eur;
  plan.objective_eur = check.energy_cost_eur + check.wear_cost_eur + p.shortfall_penalty_eur_per_kwh() * check.shortfall_kwh;
  plan.lower_bound_eur = std::min(best_bound, plan.objective_eur);
  plan.iterations = it + 1;
  return plan;
}

}  // namespace voltpool
