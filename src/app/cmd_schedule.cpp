// voltpool schedule: runs a strategy on a vpp-fleet-day-v1 fleet, writes the schedule `id,step,kw` and prints
// one JSON line with the benchmark's metrics.
#include <fmt/format.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "app/commands.hpp"
#include "data/fleet_day_files.hpp"
#include "plan/exact_solver.hpp"
#include "plan/fast_solver.hpp"
#include "plan/fleet_day_problem.hpp"
#include "sim/schedule_metrics.hpp"
#include "sim/simulator.hpp"
#include "sim/strategies.hpp"

namespace voltpool::app {

namespace {

struct ScheduleArgs {
  std::string evs;
  std::string prices;
  std::string strategy = "price-greedy";
  std::string solver;  // exact | fast: optimal planning instead of a simulated strategy
  bool v2g = false;
  double wear_eur_per_kwh = kFleetDayWearEurPerKwh;
  double site_limit_kw = 0;
  std::string out;
  bool lenient = false;
};

int run_schedule(const ScheduleArgs& a) {
  LoadOptions load{a.lenient};
  LoadStats ev_stats, price_stats;
  auto evs = load_fleet_day_evs(a.evs, load, ev_stats);
  if (!evs.ok()) {
    std::cerr << "voltpool schedule: " << evs.error().message << "\n";
    return kExitBadInput;
  }
  auto prices = load_step_prices(a.prices, load, price_stats);
  if (!prices.ok()) {
    std::cerr << "voltpool schedule: " << prices.error().message << "\n";
    return kExitBadInput;
  }
  const int steps = static_cast<int>(prices->size());
  if (steps != kFleetDaySteps) {
    std::cerr << "voltpool schedule: " << a.prices << ": expected " << kFleetDaySteps << " price steps, got " << steps << "\n";
    return kExitBadInput;
  }
  double limit = a.site_limit_kw > 0 ? a.site_limit_kw : kFleetDaySiteKwPerEv * static_cast<double>(evs->size());
  std::vector<double> kw(evs->size() * static_cast<size_t>(steps), 0.0);
  nlohmann::ordered_json solver_info;
  auto t0 = std::chrono::steady_clock::now();
  if (!a.solver.empty()) {
    PlanningProblem problem = fleet_day_problem(*evs, *prices, limit, a.v2g, a.wear_eur_per_kwh);
    auto plan = a.solver == "exact" ? solve_exact(problem) : solve_fast(problem);
    if (!plan.ok()) {
      std::cerr << "voltpool schedule: " << plan.error().message << "\n";
      return kExitFailure;
    }
    for (size_t i = 0; i < evs->size(); ++i) {
      auto row = plan->of(i);
      std::copy(row.begin(), row.end(), kw.begin() + static_cast<std::ptrdiff_t>(i * static_cast<size_t>(steps) +
                                                                               static_cast<size_t>((*evs)[i].arrival_step)));
    }
    solver_info["objective_eur"] = plan->objective_eur;
    solver_info["lower_bound_eur"] = plan->lower_bound_eur;
    solver_info["gap"] = plan->gap();
    solver_info["iterations"] = plan->iterations;
  } else {
    // One day with every arrival known: nothing for a V2G reserve to guard against.
    auto strategy = make_strategy(a.strategy, StrategyOptions{a.wear_eur_per_kwh, std::nullopt, 0});
    if (!strategy.ok()) {
      std::cerr << "voltpool schedule: " << strategy.error().message << "\n";
      return kExitBadInput;
    }
    SimulationInput in;
    in.grid = TimeGrid{UtcTime{std::chrono::sys_days{std::chrono::year{2024} / 1 / 1}} + std::chrono::hours{11},
                       std::chrono::minutes{15}, steps};
    in.sessions = to_plug_sessions(*evs, in.grid.start);
    in.price_eur_per_kwh = *prices;
    in.site = {limit, limit};
    in.enforce_site_limit = false;  // the limit is the strategy's to keep; the metrics count breaches
    SimulationResult r = simulate(in, **strategy);
    for (size_t i = 0; i < evs->size(); ++i) {
      auto log = r.meter.of(i);
      for (size_t k = 0; k < log.size(); ++k) kw[i * static_cast<size_t>(steps) + static_cast<size_t>(r.meter.first_step[i]) + k] = log[k];
    }
  }
  double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  std::ofstream out(a.out);
  out << "id,step,kw\n";
  for (size_t i = 0; i < evs->size(); ++i) {
    for (int t = 0; t < steps; ++t) {
      double p = kw[i * static_cast<size_t>(steps) + static_cast<size_t>(t)];
      if (p != 0) out << (*evs)[i].id << ',' << t << ',' << fmt::format("{:.12g}", p) << '\n';
    }
  }
  out.close();
  if (!out) {
    std::cerr << "voltpool schedule: " << a.out << ": cannot write file\n";
    return kExitFailure;
  }
  const bool v2g = a.v2g || a.strategy == "optimal-v2g";
  auto m = evaluate_schedule(*evs, *prices, limit, kw, kFleetDayStepHours, v2g);
  nlohmann::ordered_json j;
  if (a.solver.empty()) {
    j["strategy"] = a.strategy;
  } else {
    j["solver"] = a.solver;
    j["v2g"] = a.v2g;
  }
  j["n_evs"] = evs->size();
  j["delivered_kwh"] = std::round(m.delivered_kwh * 1e6) / 1e6;
  j["pct_of_feasible"] = std::round(m.pct_of_feasible * 1e4) / 1e4;
  j["fully_served"] = m.fully_served;
  j["cost_eur"] = std::round(m.cost_eur * 1e4) / 1e4;
  j["peak_kw"] = std::round(m.peak_kw * 1e4) / 1e4;
  j["site_limit_kw"] = limit;
  j["steps_over_limit"] = m.steps_over_limit;
  j["violations"] = m.violations;
  j["wall_s"] = std::round(wall_s * 1e6) / 1e6;
  for (auto& [k, val] : solver_info.items()) j[k] = val;
  std::cout << j.dump() << "\n";
  return kExitOk;
}

}  // namespace

Command add_schedule(CLI::App& app) {
  auto args = std::make_shared<ScheduleArgs>();
  CLI::App* cmd = app.add_subcommand("schedule", "schedule a vpp-fleet-day-v1 fleet and report its metrics");
  cmd->add_option("--evs", args->evs, "fleet CSV (id,kind,arrival,departure,capacity_kwh,...)")->required();
  cmd->add_option("--prices", args->prices, "price CSV (step,start_local,price_eur_per_kwh)")->required();
  cmd->add_option("--strategy", args->strategy, "one of: " + strategy_names())->capture_default_str();
  cmd->add_option("--solver", args->solver, "plan at the optimum: exact (LP, CLP) or fast (decomposition)")
      ->check(CLI::IsMember({"exact", "fast"}));
  cmd->add_flag("--v2g", args->v2g, "let the optimal planner discharge (every EV of the scenario is bidirectional)");
  cmd->add_option("--wear-eur-per-kwh", args->wear_eur_per_kwh, "wear cost per discharged kWh in the objective")
      ->capture_default_str()->check(CLI::NonNegativeNumber);
  cmd->add_option("--site-limit-kw", args->site_limit_kw, "site import (and V2G export) limit (default 4 kW per EV)")
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--lenient", args->lenient, "skip and count malformed rows instead of failing on the first");
  cmd->add_option("--out", args->out, "schedule CSV to write (id,step,kw)")->required();
  return [args] { return run_schedule(*args); };
}

}  // namespace voltpool::app
