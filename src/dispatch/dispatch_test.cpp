#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "dispatch/pjm_score.hpp"
#include "dispatch/regd_signal.hpp"

namespace voltpool {
namespace {

// models.md §3.1 reference vectors: 10-s samples, an hour of 360, response known 5 minutes further.
double s(double t) { return std::sin(2 * M_PI * t / 300) + 0.5 * std::sin(2 * M_PI * t / 97); }

PjmScore score_case(double gain, double lag_s) {
  std::vector<double> signal, response;
  for (int i = 0; i < 360; ++i) signal.push_back(s(i * 10.0));
  for (int i = 0; i < 390; ++i) response.push_back(gain * s(i * 10.0 - lag_s));
  return pjm_score(signal, response);
}

TEST(PjmScore, ReferenceVectors) {
  struct Case {
    double gain, lag, a, d, p, composite, delay;
  };
  for (const Case& c : {Case{1.0, 0, 1.0, 1.0, 1.0, 1.0, 0}, Case{1.0, 20, 1.0, 0.9333, 0.3730, 0.7688, 20},
                        Case{0.9, 20, 1.0, 0.9333, 0.3987, 0.7773, 20}, Case{1.0, 60, 1.0, 0.8000, 0.0, 0.6000, 60}}) {
    PjmScore r = score_case(c.gain, c.lag);
    EXPECT_NEAR(r.accuracy, c.a, 0.01) << c.lag;
    EXPECT_NEAR(r.delay, c.d, 0.01) << c.lag;
    EXPECT_NEAR(r.precision, c.p, 0.01) << c.lag;  // the tolerance the reference asks for
    EXPECT_NEAR(r.composite, c.composite, 0.01) << c.lag;
    EXPECT_DOUBLE_EQ(r.delay_s, c.delay);
  }
}

TEST(RegdSignal, BoundedNeutralAndSeeded) {
  auto a = regd_like_signal(1, 3600), b = regd_like_signal(1, 3600), c = regd_like_signal(2, 3600);
  ASSERT_EQ(a.size(), 1800u);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  for (size_t start = 0; start < a.size(); start += 450) {
    double sum = 0, top = 0;
    for (size_t i = start; i < start + 450; ++i) {
      sum += a[i];
      top = std::max(top, std::abs(a[i]));
    }
    EXPECT_NEAR(sum / 450, 0.0, 1e-12);  // energy-neutral over each 15 minutes
    EXPECT_NEAR(top, 1.0, 1e-12);
  }
  // Fast: it changes direction many times an hour.
  int reversals = 0;
  for (size_t i = 2; i < a.size(); ++i) reversals += (a[i] - a[i - 1]) * (a[i - 1] - a[i - 2]) < 0;
  EXPECT_GT(reversals, 60);
}

}  // namespace
}  // namespace voltpool
