// Flexibility: the fleet envelope of a vpp-fleet-day-v1 fleet, and one incremental event (a car's departure
// changes: remove and add it again).
#include <benchmark/benchmark.h>

#include "flex/envelope.hpp"
#include "plan/fleet_day_problem.hpp"

namespace voltpool {
namespace {

PlanningProblem fleet(int64_t n) {
  return fleet_day_problem(generate_fleet_day(n, 7), fleet_day_prices_eur_per_kwh(),
                           kFleetDaySiteKwPerEv * static_cast<double>(n), true, kFleetDayWearEurPerKwh);
}

void BM_FleetEnvelope(benchmark::State& state) {
  PlanningProblem p = fleet(state.range(0));
  for (auto _ : state) {
    auto env = fleet_envelope(p);
    benchmark::DoNotOptimize(env.up_kw.data());
  }
  state.counters["vehicles"] = static_cast<double>(state.range(0));
}
BENCHMARK(BM_FleetEnvelope)->Arg(100000)->Arg(1000000)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_EnvelopeEvent(benchmark::State& state) {
  PlanningProblem p = fleet(100000);
  EnvelopeTracker tracker(p);
  for (size_t i = 0; i < p.vehicles.size(); ++i) tracker.add(i);
  size_t i = 0;
  for (auto _ : state) {
    tracker.remove(i);
    tracker.add(i);
    i = (i + 7919) % p.vehicles.size();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EnvelopeEvent)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace voltpool
