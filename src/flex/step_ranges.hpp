// The steps' utilisations z of one pass of the spread split, with the sum (of z and of z^2), highest and
// lowest over any range of steps in O(1) (prefix sums and sparse tables, built once a pass in O(steps log
// steps)): a car's stretch that no clipping touches is then priced without a loop over its steps.
#pragma once

#include <algorithm>
#include <bit>
#include <vector>

#include "core/compensated_sum.hpp"

namespace voltpool::spread {

// z must outlive it.
class StepRanges {
 public:
  explicit StepRanges(const std::vector<double>& z)
      : z_(z), prefix_(z.size() + 1), prefix_squares_(z.size() + 1) {
    const size_t n = z.size();
    for (size_t t = 0; t < n; ++t) {
      prefix_[t + 1] = prefix_[t];
      prefix_[t + 1].add(z[t]);
      prefix_squares_[t + 1] = prefix_squares_[t];
      prefix_squares_[t + 1].add(z[t] * z[t]);
    }
    highest_.push_back(z);
    lowest_.push_back(z);
    for (size_t width = 1; 2 * width <= n; width *= 2) {
      const std::vector<double>& hi = highest_.back();
      const std::vector<double>& lo = lowest_.back();
      std::vector<double> next_hi(n - 2 * width + 1), next_lo(n - 2 * width + 1);
      for (size_t t = 0; t < next_hi.size(); ++t) {
        next_hi[t] = std::max(hi[t], hi[t + width]);
        next_lo[t] = std::min(lo[t], lo[t + width]);
      }
      highest_.push_back(std::move(next_hi));
      lowest_.push_back(std::move(next_lo));
    }
  }

  double operator[](int t) const { return z_[static_cast<size_t>(t)]; }
  const std::vector<double>& z() const { return z_; }
  size_t size() const { return z_.size(); }

  // Over steps [from, end), from < end.
  double sum(int from, int end) const { return between(prefix_, from, end); }
  double sum_of_squares(int from, int end) const { return between(prefix_squares_, from, end); }
  double highest(int from, int end) const {
    return over(highest_, from, end, [](double a, double b) { return std::max(a, b); });
  }
  double lowest(int from, int end) const {
    return over(lowest_, from, end, [](double a, double b) { return std::min(a, b); });
  }

 private:
  // A range's sum from compensated prefix sums (each to about one rounding): their parts differenced apart.
  static double between(const std::vector<CompensatedSum>& prefix, int from, int end) {
    const CompensatedSum &a = prefix[static_cast<size_t>(from)], &b = prefix[static_cast<size_t>(end)];
    return (b.sum - a.sum) + (b.compensation - a.compensation);
  }
  template <class Pick>
  static double over(const std::vector<std::vector<double>>& table, int from, int end, Pick pick) {
    const unsigned level = std::bit_width(static_cast<unsigned>(end - from)) - 1;
    const std::vector<double>& row = table[level];
    return pick(row[static_cast<size_t>(from)], row[static_cast<size_t>(end - (1 << level))]);
  }

  const std::vector<double>& z_;
  std::vector<CompensatedSum> prefix_, prefix_squares_;  // of z and z^2, before each step
  std::vector<std::vector<double>> highest_, lowest_;    // [level][t]: over steps [t, t + 2^level)
};

}  // namespace voltpool::spread
