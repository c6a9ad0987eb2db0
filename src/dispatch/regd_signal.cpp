#include "dispatch/regd_signal.hpp"

#include <algorithm>
#include <cmath>
#include <random>

namespace voltpool {

std::vector<double> regd_like_signal(uint64_t seed, double duration_s, double peak) {
  const size_t n = static_cast<size_t>(std::ceil(duration_s / kRegulationCycleS));
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> noise(0.0, 1.0);
  std::uniform_real_distribution<double> phase(0.0, 6.283185307179586);
  std::vector<double> x(n);
  const double alpha = kRegulationCycleS / 20.0;  // ~20 s smoothing
  double fast = 0, walk = 0;
  const double slow_period_s = 90 + 60 * std::uniform_real_distribution<double>(0, 1)(rng), slow_phase = phase(rng);
  for (size_t i = 0; i < n; ++i) {
    walk = 0.97 * walk + noise(rng);
    fast += alpha * (walk - fast);
    double t = static_cast<double>(i) * kRegulationCycleS;
    x[i] = fast + 2.0 * std::sin(6.283185307179586 * t / slow_period_s + slow_phase);
  }
  const size_t block = static_cast<size_t>(900.0 / kRegulationCycleS);
  for (size_t start = 0; start < n; start += block) {
    size_t end = std::min(n, start + block);
    double mean = 0;
    for (size_t i = start; i < end; ++i) mean += x[i];
    mean /= static_cast<double>(end - start);
    double top = 0;
    for (size_t i = start; i < end; ++i) top = std::max(top, std::abs(x[i] - mean));
    for (size_t i = start; i < end; ++i) x[i] = top > 0 ? peak * (x[i] - mean) / top : 0.0;
  }
  return x;
}

}  // namespace voltpool
