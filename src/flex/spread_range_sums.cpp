#include "flex/spread_range_sums.hpp"

#include <cmath>

namespace voltpool::spread {

RangeSums::RangeSums(size_t steps)
    : steps_(steps), kw_(steps * (steps + 1)), kw_shift_(kw_.size()), take_back_(kw_.size(), 0.0) {}

void RangeSums::add(const RangeSums& other) {
  for (size_t k = 0; k < kw_.size(); ++k) {
    kw_[k].add(other.kw_[k]);
    kw_shift_[k].add(other.kw_shift_[k]);
    take_back_[k] += other.take_back_[k];
  }
}

void RangeSums::add_to(const std::vector<double>& z, std::vector<CompensatedSum>& fleet,
                       std::vector<double>& jacobian) const {
  const size_t n = steps_;
  // Per step, the kW and kW x shift of the ranges over it: added at a range's first step, taken off at its
  // end (compensated: a million cars' sums, differenced).
  auto negated = [](const CompensatedSum& s) { return CompensatedSum{-s.sum, -s.compensation}; };
  std::vector<CompensatedSum> kw(n + 1), kw_shift(n + 1);
  for (size_t from = 0; from < n; ++from) {
    for (size_t end = from + 1; end <= n; ++end) {
      const size_t k = from * (n + 1) + end;
      kw[from].add(kw_[k]);
      kw[end].add(negated(kw_[k]));
      kw_shift[from].add(kw_shift_[k]);
      kw_shift[end].add(negated(kw_shift_[k]));
    }
  }
  CompensatedSum over_kw, over_kw_shift;
  for (size_t t = 0; t < n; ++t) {
    over_kw.add(kw[t]);
    over_kw_shift.add(kw_shift[t]);
    // kW x z and kW x shift cancel to the fleet's power: the product kept with its rounding (fma).
    const double product = over_kw.sum * z[t], product_error = std::fma(over_kw.sum, z[t], -product);
    fleet[t].add(product);
    fleet[t].add(product_error + over_kw.compensation * z[t]);
    fleet[t].add(over_kw_shift);
    if (!jacobian.empty()) jacobian[t * n + t] += over_kw.value();
  }
  if (jacobian.empty()) return;
  // Pair (a, b), a <= b, loses the take-back of every range over both: from <= a and end > b. Summed over
  // end > b (suffix) per from, then over from <= a (prefix).
  std::vector<double> over(n * n, 0.0);  // [from][b]: ranges from `from` reaching past b
  for (size_t from = 0; from < n; ++from) {
    double reaching = 0;
    for (size_t b = n; b-- > from;) {
      reaching += take_back_[from * (n + 1) + b + 1];
      over[from * n + b] = reaching;
    }
  }
  for (size_t a = 0; a < n; ++a) {
    for (size_t b = a; b < n; ++b) {
      if (a > 0) over[a * n + b] += over[(a - 1) * n + b];
      const double lost = over[a * n + b];
      if (lost == 0) continue;
      jacobian[a * n + b] -= lost;
      if (a != b) jacobian[b * n + a] -= lost;
    }
  }
}

}  // namespace voltpool::spread
