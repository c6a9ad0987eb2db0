// Simulator throughput on the vpp-fleet-day-v1 generator's fleets: one simulated day, per strategy.
#include <benchmark/benchmark.h>

#include "fleet/vpp_fleet_day.hpp"
#include "sim/simulator.hpp"
#include "sim/strategies.hpp"

namespace voltpool {
namespace {

SimulationInput fleet_day(int64_t n) {
  SimulationInput in;
  in.grid = TimeGrid{UtcTime{std::chrono::hours{24 * 19723 + 11}}, std::chrono::minutes{15}, kFleetDaySteps};
  in.sessions = to_plug_sessions(generate_fleet_day(n, 42), in.grid.start);
  in.price_eur_per_kwh = fleet_day_prices_eur_per_kwh();
  in.enforce_site_limit = false;
  return in;
}

void BM_SimulateFleetDay(benchmark::State& state, const char* strategy_name) {
  SimulationInput in = fleet_day(state.range(0));
  for (auto _ : state) {
    auto strategy = std::move(*make_strategy(strategy_name));
    auto r = simulate(in, *strategy);
    benchmark::DoNotOptimize(r.fleet_kw.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0) * kFleetDaySteps);
  state.counters["vehicle_steps_per_s"] =
      benchmark::Counter(static_cast<double>(state.range(0) * kFleetDaySteps), benchmark::Counter::kIsIterationInvariantRate);
}

BENCHMARK_CAPTURE(BM_SimulateFleetDay, uncontrolled, "uncontrolled")->Arg(1000)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_SimulateFleetDay, price_greedy, "price-greedy")->Arg(1000)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace voltpool
