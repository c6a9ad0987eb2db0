#include "core/series.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

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

Result<TimeSeries> overlay(const TimeSeries& base, const TimeSeries& top) {
  if (base.values.empty()) return top;
  if (top.values.empty()) return base;
  Seconds step = std::min(base.step, top.step);
  if (step.count() <= 0 || base.step % step != Seconds(0) || top.step % step != Seconds(0))
    return Error{"series of " + std::to_string(base.step.count()) + " s and " + std::to_string(top.step.count()) +
                 " s steps cannot be laid over each other"};
  TimeSeries out;
  out.step = step;
  out.start = std::min(base.start, top.start);
  UtcTime end = std::max(base.end(), top.end());
  // Aligned to the finer step from the earlier start: a start off that grid would blur values across steps.
  if ((base.start - out.start) % step != Seconds(0) || (top.start - out.start) % step != Seconds(0))
    return Error{"the series' starts are not on a common step"};
  auto n = (end - out.start) / step;
  constexpr std::int64_t kMaxSteps = 20'000'000;
  if (n > kMaxSteps) return Error{"laid over each other the series would span " + std::to_string(n) + " steps"};
  out.values.resize(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    UtcTime t = out.start + step * i;
    auto v = top.at(t);
    if (!v || std::isnan(*v)) v = base.at(t);
    out.values[static_cast<std::size_t>(i)] = v ? *v : std::numeric_limits<double>::quiet_NaN();
  }
  return out;
}

}  // namespace voltpool
