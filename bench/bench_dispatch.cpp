// One dispatch cycle for a large plugged-in fleet: bounds, baseline, proportional sharing.
#include <benchmark/benchmark.h>

#include <random>

#include "dispatch/dispatcher.hpp"

namespace voltpool {
namespace {

void BM_DispatchCycle(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> u(0, 1);
  DispatchFleet f;
  f.resize(n);
  for (size_t i = 0; i < n; ++i) {
    f.charge_max_kw[i] = 7.4 + 14.6 * u(rng);
    f.discharge_max_kw[i] = f.charge_max_kw[i];
    f.ramp_kw_per_s[i] = 5;
    f.e_min_kwh[i] = 10;
    f.e_max_kwh[i] = 75;
    f.energy_kwh[i] = 20 + 50 * u(rng);
    f.target_kwh[i] = 70;
    f.eta_charge[i] = f.eta_discharge[i] = 0.93;
    f.departure_s[i] = 3600 * (2 + 10 * u(rng));
    f.baseline_kw[i] = f.last_setpoint_kw[i] = 7 * u(rng);
  }
  std::vector<double> sp(n);
  double base = 0;
  for (double b : f.baseline_kw) base += b;
  double t = 0;
  for (auto _ : state) {
    auto out = dispatch_cycle(f, t, base + 0.3 * static_cast<double>(n) * std::sin(t / 30), DispatchConfig{}, sp);
    benchmark::DoNotOptimize(out.assigned_kw);
    t += 2;
  }
  state.counters["cars"] = static_cast<double>(n);
}
BENCHMARK(BM_DispatchCycle)->Arg(100000)->Arg(1000000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace voltpool
