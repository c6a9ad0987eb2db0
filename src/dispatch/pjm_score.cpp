#include "dispatch/pjm_score.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace voltpool {

namespace {

double correlation(std::span<const double> a, std::span<const double> b) {
  const size_t n = a.size();
  double ma = 0, mb = 0;
  for (size_t i = 0; i < n; ++i) ma += a[i], mb += b[i];
  ma /= static_cast<double>(n);
  mb /= static_cast<double>(n);
  double sab = 0, saa = 0, sbb = 0;
  for (size_t i = 0; i < n; ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  if (saa <= 0 || sbb <= 0) return 0;
  return sab / std::sqrt(saa * sbb);
}

double clip01(double x) { return std::clamp(x, 0.0, 1.0); }

}  // namespace

PjmScore pjm_score(std::span<const double> signal, std::span<const double> response, double sample_s) {
  const size_t n = signal.size();
  assert(n >= 2 && response.size() >= n);
  PjmScore s;
  double best = -1e300;
  const size_t max_shift = std::min(static_cast<size_t>(std::lround(300.0 / sample_s)), response.size() - n);
  for (size_t shift = 0; shift <= max_shift; ++shift) {
    double delay_s = static_cast<double>(shift) * sample_s;
    double a = clip01(correlation(signal, response.subspan(shift, n)));
    double d = clip01(std::abs((delay_s - 300.0) / 300.0));
    if (a + d > best) {
      best = a + d;
      s.accuracy = a;
      s.delay = d;
      s.delay_s = delay_s;
    }
  }
  double mean_abs = 0, error = 0;
  for (size_t i = 0; i < n; ++i) {
    mean_abs += std::abs(signal[i]);
    error += std::abs(response[i] - signal[i]);
  }
  mean_abs /= static_cast<double>(n);
  error /= static_cast<double>(n);
  s.precision = mean_abs > 0 ? clip01(1.0 - error / mean_abs) : 0.0;
  s.composite = (s.accuracy + s.delay + s.precision) / 3.0;
  return s;
}

}  // namespace voltpool
