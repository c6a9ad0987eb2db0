// Planning: one pricing pass of the fast planner's per-car responses over a vpp-fleet-day-v1 fleet, at the
// day's own prices (the inner loop of every decomposition iteration).
#include <benchmark/benchmark.h>

#include "plan/fleet_day_problem.hpp"
#include "plan/storage_response.hpp"
#include "plan/vehicle_response.hpp"

namespace voltpool {
namespace {

PlanningProblem fleet(int64_t n, bool v2g) {
  return fleet_day_problem(generate_fleet_day(n, 7), fleet_day_prices_eur_per_kwh(),
                           kFleetDaySiteKwPerEv * static_cast<double>(n), v2g, kFleetDayWearEurPerKwh);
}

void BM_StorageResponsePass(benchmark::State& state) {
  PlanningProblem p = fleet(state.range(0), true);
  std::vector<double> revenue = p.export_price_eur_per_kwh;
  for (double& r : revenue) r -= p.wear_eur_per_kwh;
  const double penalty = p.shortfall_penalty_eur_per_kwh();
  std::vector<double> kw(static_cast<size_t>(p.steps));
  StorageScratch scratch;
  for (auto _ : state) {
    double cost = 0;
    for (size_t i = 0; i < p.vehicles.size(); ++i) {
      cost += storage_response(p, i, p.import_price_eur_per_kwh, revenue, penalty,
                               std::span<double>(kw.data(), static_cast<size_t>(p.vehicles.window(i))), scratch)
                  .priced_eur;
    }
    benchmark::DoNotOptimize(cost);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_StorageResponsePass)->Arg(100000)->Unit(benchmark::kMillisecond);

void BM_ChargeOnlyResponsePass(benchmark::State& state) {
  PlanningProblem p = fleet(state.range(0), false);
  const double penalty = p.shortfall_penalty_eur_per_kwh();
  auto ranking = rank_steps(p.import_price_eur_per_kwh);
  WindowRankings windows;  // one window per car here (the planner shares them between cars with one window)
  for (size_t i = 0; i < p.vehicles.size(); ++i) windows.add(ranking, p.vehicles.first_step[i], p.vehicles.end_step[i]);
  std::vector<double> kw(static_cast<size_t>(p.steps));
  for (auto _ : state) {
    double cost = 0;
    for (size_t i = 0; i < p.vehicles.size(); ++i) {
      cost += charge_only_response(p, i, p.import_price_eur_per_kwh, windows.of(i), penalty,
                                   std::span<double>(kw.data(), static_cast<size_t>(p.vehicles.window(i))))
                  .priced_eur;
    }
    benchmark::DoNotOptimize(cost);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_ChargeOnlyResponsePass)->Arg(100000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace voltpool
