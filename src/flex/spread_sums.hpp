// What one pass of the spread split sums over the fleet at the steps' utilisations z: the fleet's power per
// step, the split's spread, the Jacobian d fleet power / d z, and how far each step's z may move before a car
// there changes side. Each worker sums its cars into its own, then they are added up.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

#include "core/compensated_sum.hpp"

namespace voltpool::spread {

inline constexpr double kInf = std::numeric_limits<double>::infinity();

// A run of the steps of window [first, end) by z, [from, to), whose pairs lose weight w from the Jacobian: the
// cars (or stretches of a car) bound to their energy whose free steps are exactly those (each takes back what
// they move alike).
struct Run {
  uint16_t first, end;
  uint16_t from, to;
  double w;
};

struct PassSums {
  std::vector<Run> runs;
  std::vector<CompensatedSum> fleet;  // per step: the fleet's power, kW
  std::vector<double> jacobian;       // steps x steps: d fleet power / d z (runs not yet taken)
  double spread = 0;                  // sum over cars and steps of kw^2 / (2 cap)
  // Per step, how far z must fall before a car at its cap there comes off it, and rise before a car at its
  // lowest (0, or its most discharge) moves up.
  std::vector<double> to_leave_cap, to_leave_low;

  PassSums(size_t steps, bool with_jacobian)
      : fleet(steps),
        jacobian(with_jacobian ? steps * steps : 0, 0.0),
        to_leave_cap(steps, kInf),
        to_leave_low(steps, kInf) {}
  void add(const PassSums& o) {
    for (size_t t = 0; t < fleet.size(); ++t) {
      fleet[t].add(o.fleet[t]);
      to_leave_cap[t] = std::min(to_leave_cap[t], o.to_leave_cap[t]);
      to_leave_low[t] = std::min(to_leave_low[t], o.to_leave_low[t]);
    }
    for (size_t x = 0; x < jacobian.size(); ++x) jacobian[x] += o.jacobian[x];
    spread += o.spread;
  }
};

}  // namespace voltpool::spread
