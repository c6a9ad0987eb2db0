// A synthetic RegD-like regulation signal for tests and benchmarks: 2-second samples in [-1, 1], fast and
// mean-reverting, energy-neutral over every 15-minute block as RegD is designed to be. Built from a seeded
// random walk smoothed by a first-order filter (time constant ~20 s) plus a slower ~2-min swing; each
// 15-minute block has its mean removed and is scaled so its largest magnitude is `peak` (scaling keeps the
// zero mean). Same seed, same signal.
#pragma once

#include <cstdint>
#include <vector>

namespace voltpool {

inline constexpr double kRegulationCycleS = 2.0;

std::vector<double> regd_like_signal(uint64_t seed, double duration_s, double peak = 1.0);

}  // namespace voltpool
