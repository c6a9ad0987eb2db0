// The steps' utilisations z of one pass of the spread split, with the sum, highest and lowest over any range
// of steps, and the sum of squared deviations from the range's mean, in O(1) (compensated prefix sums, sparse
// tables and a table of every range's mean and squared deviations: built once a pass in O(steps^2)): a car's
// stretch that no clipping touches is then priced without a loop over its steps.
#pragma once

#include <algorithm>
#include <bit>
#include <limits>
#include <vector>

#include "core/compensated_sum.hpp"

namespace voltpool::spread {

// z must outlive it.
class StepRanges {
 public:
  explicit StepRanges(const std::vector<double>& z)
      : z_(z), prefix_(z.size() + 1), mean_(z.size() * (z.size() + 1)), deviations_(mean_.size()) {
    const size_t n = z.size();
    for (size_t t = 0; t < n; ++t) {
      prefix_[t + 1] = prefix_[t];
      prefix_[t + 1].add(z[t]);
    }
    // Welford's running mean and squared deviations, from each first step on (no cancellation).
    for (size_t from = 0; from < n; ++from) {
      double mean = 0, squares = 0;
      for (size_t end = from + 1; end <= n; ++end) {
        const double x = z[end - 1], before = mean;
        mean += (x - mean) / static_cast<double>(end - from);
        squares += (x - before) * (x - mean);
        mean_[key(from, end)] = mean;
        deviations_[key(from, end)] = squares;
      }
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

  // Over steps [from, end): an empty range's sum is 0, its highest -inf and lowest +inf (so no step of it is
  // clipped), its mean and deviations 0.
  double sum(int from, int end) const {
    if (from >= end) return 0;
    const CompensatedSum &a = prefix_[static_cast<size_t>(from)], &b = prefix_[static_cast<size_t>(end)];
    return (b.sum - a.sum) + (b.compensation - a.compensation);  // their parts differenced apart
  }
  double mean(int from, int end) const { return from < end ? mean_[key(from, end)] : 0.0; }
  double squared_deviations(int from, int end) const {
    return from < end ? deviations_[key(from, end)] : 0.0;
  }
  double highest(int from, int end) const {
    if (from >= end) return -std::numeric_limits<double>::infinity();
    return over(highest_, from, end, [](double a, double b) { return std::max(a, b); });
  }
  double lowest(int from, int end) const {
    if (from >= end) return std::numeric_limits<double>::infinity();
    return over(lowest_, from, end, [](double a, double b) { return std::min(a, b); });
  }

 private:
  size_t key(int from, int end) const {
    return static_cast<size_t>(from) * (z_.size() + 1) + static_cast<size_t>(end);
  }
  template <class Pick>
  static double over(const std::vector<std::vector<double>>& table, int from, int end, Pick pick) {
    const unsigned level = std::bit_width(static_cast<unsigned>(end - from)) - 1;
    const std::vector<double>& row = table[level];
    return pick(row[static_cast<size_t>(from)], row[static_cast<size_t>(end - (1 << level))]);
  }

  const std::vector<double>& z_;
  std::vector<CompensatedSum> prefix_;                 // of z, before each step
  std::vector<double> mean_, deviations_;              // per range [from, end): z's mean, sum of (z - mean)^2
  std::vector<std::vector<double>> highest_, lowest_;  // [level][t]: over steps [t, t + 2^level)
};

}  // namespace voltpool::spread
