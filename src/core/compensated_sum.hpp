// A sum of many doubles to about one rounding of its result (Neumaier's compensated summation): a million cars'
// powers at a step add up to a fraction of a microwatt, where plain summation drifts by microwatts.
#pragma once

#include <cmath>

namespace voltpool {

struct CompensatedSum {
  double sum = 0, compensation = 0;

  void add(double x) {
    const double t = sum + x;
    compensation += std::abs(sum) >= std::abs(x) ? (sum - t) + x : (x - t) + sum;
    sum = t;
  }
  void add(const CompensatedSum& other) {
    add(other.sum);
    add(other.compensation);
  }
  double value() const { return sum + compensation; }
};

}  // namespace voltpool
