#include "core/series.hpp"

#include <algorithm>
#include <cmath>

namespace voltpool {

std::optional<double> TimeSeries::at(UtcTime t) const {
  if (t < start || t >= end()) return std::nullopt;
  return values[static_cast<size_t>((t - start) / step)];
}

Result<std::vector<double>> resample_mean(const TimeSeries& series, const TimeGrid& grid,
                                          const std::string& what) {
  std::vector<double> out(static_cast<size_t>(grid.steps));
  for (int i = 0; i < grid.steps; ++i) {
    UtcTime a = grid.time_of(i), b = grid.time_of(i + 1);
    if (a < series.start || b > series.end()) {
      return Error{what + " does not cover grid step " + std::to_string(i) + " (" + format_utc(a) + " to " +
                   format_utc(b) + "); it covers " + format_utc(series.start) + " to " +
                   format_utc(series.end())};
    }
    double weighted = 0;
    for (UtcTime t = a; t < b;) {
      auto k = static_cast<size_t>((t - series.start) / series.step);
      UtcTime k_end = series.start + series.step * static_cast<int64_t>(k + 1);
      UtcTime upto = std::min(k_end, b);
      if (std::isnan(series.values[k])) {
        return Error{what + " has no value at " + format_utc(series.start + series.step * static_cast<int64_t>(k)) +
                     " (needed for grid step " + std::to_string(i) + ")"};
      }
      weighted += series.values[k] * static_cast<double>((upto - t).count());
      t = upto;
    }
    out[static_cast<size_t>(i)] = weighted / static_cast<double>((b - a).count());
  }
  return out;
}

}  // namespace voltpool
