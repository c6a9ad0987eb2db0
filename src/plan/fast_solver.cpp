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
      : p_(p), workers_(std::max(1u, std::min(4u, std::thread::hardware_concurrency()))) {
    for (int t = 0; t < p.steps; ++t) {
      if (std::isfinite(p.import_limit_kw[t])) limited_.push_back(t);
    }
    size_t longest = 0;
    for (size_t i = 0; i < p.vehicles.size(); ++i) longest = std::max(longest, static_cast<size_t>(p.vehicles.window(i)));
    scratch_.assign(workers_, std::vector<double>(longest));
  }

  std::vector<double> prices(const std::vector<double>& lambda) const {
    std::vector<double> a = p_.import_price_eur_per_kwh;
    for (size_t r = 0; r < limited_.size(); ++r) a[limited_[r]] += lambda[r] / p_.dt_h;
    return a;
  }

  Pass price(const std::vector<double>& lambda) {
    auto a = prices(lambda);
    auto ranking = rank_steps(a);
    const PlanVehicles& v = p_.vehicles;
    std::vector<Pass> partial(workers_);
    parallel_chunks(v.size(), workers_, [&](size_t begin, size_t end, unsigned w) {
      Pass& pass = partial[w];
      pass.aggregate_kw.assign(static_cast<size_t>(p_.steps), 0.0);
      for (size_t i = begin; i < end; ++i) {
        std::span<double> kw(scratch_[w].data(), static_cast<size_t>(v.window(i)));
        ResponseCost c = charge_only_response(p_, i, a, ranking, kw);
        pass.cost_eur += c.energy_eur + kShortfallPenaltyEurPerKwh * c.shortfall_kwh;
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
    for (size_t r = 0; r < limited_.size(); ++r) pass.lagrangian_eur -= lambda[r] * p_.import_limit_kw[limited_[r]];
    return pass;
  }

  // Adds mu * (each vehicle's response at lambda) to the plan.
  void accumulate(const std::vector<double>& lambda, double mu, Plan& plan) {
    auto a = prices(lambda);
    auto ranking = rank_steps(a);
    const PlanVehicles& v = p_.vehicles;
    parallel_chunks(v.size(), workers_, [&](size_t begin, size_t end, unsigned w) {
      for (size_t i = begin; i < end; ++i) {
        std::span<double> kw(scratch_[w].data(), static_cast<size_t>(v.window(i)));
        charge_only_response(p_, i, a, ranking, kw);
        double* out = plan.kw.data() + plan.offset[i];
        for (size_t k = 0; k < kw.size(); ++k) out[k] += mu * kw[k];
      }
    });
  }

  const std::vector<int>& limited() const { return limited_; }

 private:
  const PlanningProblem& p_;
  unsigned workers_;
  std::vector<int> limited_;  // steps with an import limit: one master row each
  std::vector<std::vector<double>> scratch_;  // per worker
};

}  // namespace

Result<Plan> solve_fast(const PlanningProblem& p, const FastSolverOptions& opt) {
  if (p.any_discharge()) {
    return Error{"the fast planner handles charge-only fleets; plan V2G with the exact solver"};
  }
  for (int t = 0; t < p.steps; ++t) {
    if (p.import_limit_kw[t] < 0) return Error{"site import limit below zero at step " + std::to_string(t)};
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
  {
    std::vector<double> lo(static_cast<size_t>(rows) + 1, -COIN_DBL_MAX), hi(static_cast<size_t>(rows) + 1);
    for (int r = 0; r < rows; ++r) hi[r] = p.import_limit_kw[limited[r]] * scale;
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
  idle.cost_eur = kShortfallPenaltyEurPerKwh * idle.shortfall_kwh;
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
    double money = upper - kShortfallPenaltyEurPerKwh * shortfall;
    if (upper - best_bound <= opt.relative_gap * std::max(1.0, std::abs(money))) break;
    const double* y = master.dualRowSolution();
    std::vector<double> lambda_master(static_cast<size_t>(rows));
    for (int r = 0; r < rows; ++r) lambda_master[r] = std::max(0.0, -y[r]);
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
  plan.objective_eur = check.energy_cost_eur + check.wear_cost_eur + kShortfallPenaltyEurPerKwh * check.shortfall_kwh;
  plan.lower_bound_eur = std::min(best_bound, plan.objective_eur);
  plan.iterations = it + 1;
  return plan;
}

}  // namespace voltpool
