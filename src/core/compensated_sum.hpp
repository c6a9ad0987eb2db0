// A sum of many doubles to about one rounding of its result (Neumaier's compensated summation): a million
// cars' powers at a step add up to a fraction of a microwatt, where plain summation drifts by microwatts.
#pragma once

#include <cmath>
#include <cstddef>
#include <utility>
#include <vector>

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

// Per-step sums over many rows (cars) to about one rounding of each block: each row adds its values plainly
// into a block (whose sum errs by at most kRows roundings of itself), every kRows rows the block goes into
// compensated sums. As close as compensating every value, at the cost of plain addition.
class BlockedStepSums {
 public:
  static constexpr size_t kRows = 256;
  explicit BlockedStepSums(size_t steps) : block_(steps, 0.0), sums_(steps) {}
  // Where the next row adds its value at step t (row()[t]).
  double* row() {
    if (rows_ == kRows) flush();
    ++rows_;
    return block_.data();
  }
  // Adds every step's sum into out (out[t] += sum at t).
  void add_to(std::vector<CompensatedSum>& out) {
    flush();
    for (size_t t = 0; t < sums_.size(); ++t) out[t].add(sums_[t]);
  }

 private:
  void flush() {
    for (size_t t = 0; t < block_.size(); ++t) sums_[t].add(std::exchange(block_[t], 0.0));
    rows_ = 0;
  }
  std::vector<double> block_;
  std::vector<CompensatedSum> sums_;
  size_t rows_ = 0;
};

}  // namespace voltpool
