// Wear evaluation of a day plan for a large fleet: every vehicle-step's calendar cost on its convex curve and
// the cycling cost of the energy moved (plan_battery_wear_eur).
#include <benchmark/benchmark.h>

#include "battery/wear_cost.hpp"
#include "plan/fleet_day_problem.hpp"
#include "sim/optimal_strategy.hpp"

namespace voltpool {
namespace {

void BM_PlanWear(benchmark::State& state) {
  const int64_t n = state.range(0);
  PlanningProblem p = fleet_day_problem(generate_fleet_day(n, 7), fleet_day_prices_eur_per_kwh(),
                                        kFleetDaySiteKwPerEv * static_cast<double>(n), true, 0.0);
  WearCurves curves{WearParams{}};
  for (size_t i = 0; i < p.vehicles.size(); ++i) {
    p.vehicle_wear.push_back(curves.for_capacity(p.vehicles.e_max_kwh[i] / 0.8));  // any size: curves depend on it
  }
  // A plan: every car charges at half power over its whole window.
  Plan plan;
  plan.offset.assign(p.vehicles.size() + 1, 0);
  for (size_t i = 0; i < p.vehicles.size(); ++i) plan.offset[i + 1] = plan.offset[i] + static_cast<size_t>(p.vehicles.window(i));
  plan.kw.resize(plan.offset.back());
  for (size_t i = 0; i < p.vehicles.size(); ++i) {
    for (size_t k = plan.offset[i]; k < plan.offset[i + 1]; ++k) plan.kw[k] = 0.5 * p.vehicles.charge_max_kw[i];
  }
  for (auto _ : state) {
    auto wear = plan_battery_wear_eur(p, plan);
    benchmark::DoNotOptimize(wear.data());
  }
  state.counters["vehicles"] = static_cast<double>(n);
}
BENCHMARK(BM_PlanWear)->Arg(1000000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace voltpool
