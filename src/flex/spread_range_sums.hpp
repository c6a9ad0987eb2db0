// The stretches of cars priced one by one that no clipping touches, over whole steps, summed per range of
// steps [from, end). Such a stretch takes cap * (z(t) + s) at each of its steps (none at its cap or its
// lowest: every one free), so a range's stretches together take (their kW) z(t) + (their kW x shift); each
// adds its kW to the Jacobian's diagonal at its steps and, bound to its energy at both ends, takes back
// cap^2 / (cap x steps) = kW / steps from every pair of them. A pass then adds two or three numbers per such
// stretch instead of walking its steps, and walks the ranges once (steps^2). (The take-back could be runs
// over every step of a window for Splitter::take_runs, but taking those window by window costs the sum over
// ranges of their steps squared, about steps^4 / 12, where all ranges at once cost steps^2.)
#pragma once

#include <cstddef>
#include <vector>

#include "core/compensated_sum.hpp"

namespace voltpool::spread {

class RangeSums {
 public:
  explicit RangeSums(size_t steps);
  // A stretch over steps [from, end), from < end.
  void add(int from, int end, double cap_kw, double shift, bool bound) {
    const size_t k = key(from, end);
    kw_[k].add(cap_kw);
    kw_shift_[k].add(cap_kw * shift);
    if (bound) take_back_[k] += cap_kw / (end - from);
  }
  void add(const RangeSums& other);
  // The ranges' stretches' power at z added to fleet (per step), and their share of the Jacobian (steps x
  // steps, row by row) to jacobian unless it is empty.
  void add_to(const std::vector<double>& z, std::vector<CompensatedSum>& fleet,
              std::vector<double>& jacobian) const;

 private:
  size_t key(int from, int end) const {
    return static_cast<size_t>(from) * (steps_ + 1) + static_cast<size_t>(end);
  }

  size_t steps_;
  std::vector<CompensatedSum> kw_, kw_shift_;  // per range: its stretches' kW, and kW x shift
  std::vector<double> take_back_;              // per range: its bound stretches' kW / steps
};

}  // namespace voltpool::spread
