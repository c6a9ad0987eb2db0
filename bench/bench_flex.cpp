// Flexibility: the fleet envelope of a vpp-fleet-day-v1 fleet, one incremental event (a car's departure
// changes: remove and add it again), and splitting a profile back onto the cars (disaggregation).
#include <benchmark/benchmark.h>

#include <optional>
#include <vector>

#include "flex/envelope.hpp"
#include "flex/follow.hpp"
#include "plan/fast_solver.hpp"
#include "plan/fleet_day_problem.hpp"

namespace voltpool {
namespace {

PlanningProblem fleet(int64_t n, bool v2g = true) {
  return fleet_day_problem(generate_fleet_day(n, 7), fleet_day_prices_eur_per_kwh(),
                           kFleetDaySiteKwPerEv * static_cast<double>(n), v2g,
                           v2g ? kFleetDayWearEurPerKwh : 0);
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

// The fleet's fast plan's power per step (nullopt, the benchmark skipped, if it cannot be planned).
std::optional<std::vector<double>> planned_profile(benchmark::State& state, const PlanningProblem& p) {
  auto plan = solve_fast(p);
  if (!plan.ok()) {
    state.SkipWithError(plan.error().message.c_str());
    return std::nullopt;
  }
  return fleet_power_kw(p, *plan);
}

// The whole of follow_profile, as `voltpool disaggregate` runs it; skipped if the profile is refused.
void time_follow(benchmark::State& state, const PlanningProblem& p, const std::vector<double>& profile) {
  bool accepted = true;
  for (auto _ : state) {
    auto split = follow_profile(p, profile);
    accepted = accepted && split.ok() && split->accepted;
    benchmark::DoNotOptimize(split);
  }
  if (!accepted) state.SkipWithError("the profile was refused");
  state.counters["vehicles"] = static_cast<double>(state.range(0));
}

// A charge-only fleet follows its own fast plan's profile (on the edge of what it can do: the site limit
// binds for hours, other steps at nothing).
void BM_DisaggregatePlanProfile(benchmark::State& state) {
  const PlanningProblem p = fleet(state.range(0), false);
  if (auto profile = planned_profile(state, p)) time_follow(state, p, *profile);
}
BENCHMARK(BM_DisaggregatePlanProfile)
    ->Arg(100000)
    ->Arg(1000000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(5);

// The same fleet asked for a profile inside what it can do: half its fast plan, half every car charging from
// arrival (each car's mix of two ways it can go is one too).
void BM_DisaggregateMixedProfile(benchmark::State& state) {
  const PlanningProblem p = fleet(state.range(0), false);
  auto profile = planned_profile(state, p);
  if (!profile) return;
  const std::vector<double> asap = fleet_power_kw(p, arrival_charging_plan(p));
  for (size_t t = 0; t < profile->size(); ++t) (*profile)[t] = 0.5 * ((*profile)[t] + asap[t]);
  time_follow(state, p, *profile);
}
BENCHMARK(BM_DisaggregateMixedProfile)
    ->Arg(1000000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(5);

// The fleet that may discharge asked only to absorb (its charge-only fast plan's profile): split with no car
// discharging.
void BM_DisaggregateV2gAbsorbing(benchmark::State& state) {
  if (auto profile = planned_profile(state, fleet(state.range(0), false))) {
    time_follow(state, fleet(state.range(0), true), *profile);
  }
}
BENCHMARK(BM_DisaggregateV2gAbsorbing)
    ->Arg(1000000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(5);

// The fleet that may discharge follows its own fast V2G plan's profile (discharging at the dear hours, many cars
// down to their floors): the spread split with discharge.
void BM_DisaggregateV2gPlanProfile(benchmark::State& state) {
  const PlanningProblem p = fleet(state.range(0), true);
  if (auto profile = planned_profile(state, p)) time_follow(state, p, *profile);
}
BENCHMARK(BM_DisaggregateV2gPlanProfile)
    ->Arg(100000)
    ->Arg(1000000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(3);

}  // namespace
}  // namespace voltpool
