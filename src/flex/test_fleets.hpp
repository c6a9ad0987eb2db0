// Fleets for the flexibility tests: an hourly problem without limits, and random lossless fleets.
#pragma once

#include <algorithm>
#include <random>

#include "plan/problem.hpp"

namespace voltpool::test {

inline PlanningProblem hourly(int steps) {
  PlanningProblem p;
  p.steps = steps;
  p.dt_h = 1.0;
  p.import_price_eur_per_kwh.assign(static_cast<size_t>(steps), 0.1);
  p.export_price_eur_per_kwh = p.import_price_eur_per_kwh;
  p.import_limit_kw.assign(static_cast<size_t>(steps), kNoLimit);
  p.export_limit_kw.assign(static_cast<size_t>(steps), kNoLimit);
  return p;
}

// Lossless fleets. `varied` adds what the plain ones leave out: cars present for part of their first and last
// steps, ceilings above the target, targets out of reach, floors above zero, discharge below charge power.
inline PlanningProblem random_lossless(std::mt19937_64& rng, int cars, int steps, bool v2g,
                                       bool varied = false) {
  std::uniform_real_distribution<double> u(0, 1);
  auto p = hourly(steps);
  p.dt_h = 0.25;
  for (int c = 0; c < cars; ++c) {
    int first = static_cast<int>(u(rng) * steps * 0.6);
    int end = first + 1 + static_cast<int>(u(rng) * (steps - first - 1));
    double cap = 40 + 40 * u(rng), e0 = cap * (0.2 + (varied ? 0.6 : 0.4) * u(rng));
    double target = std::min(cap, e0 + u(rng) * (varied ? 25 : 10));
    double pmax = 3 + 8 * u(rng);
    if (!varied) {
      p.vehicles.add(first, end, 1, 1, pmax, v2g ? pmax : 0, e0, std::min(e0, 0.2 * cap), target, target, 1,
                     1);
      continue;
    }
    double first_share = 0.1 + 0.9 * u(rng), last_share = end - first == 1 ? first_share : 0.1 + 0.9 * u(rng);
    double ceiling = u(rng) < 0.5 ? cap : target;
    p.vehicles.add(first, end, first_share, last_share, pmax, v2g ? pmax * (0.5 + u(rng)) : 0, e0, 0.1 * cap,
                   ceiling, target, 1, 1);
  }
  return p;
}

}  // namespace voltpool::test
