// Regular time series (prices, carbon intensity, signals) and their resampling onto a `TimeGrid`.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "core/time.hpp"

namespace voltpool {

// values[i] holds over [start + i*step, start + (i+1)*step). What the values mean (EUR/kWh, kg CO2/kWh)
// is said by the name of the variable that holds the series.
struct TimeSeries {
  UtcTime start{};
  Seconds step{3600};
  std::vector<double> values;

  UtcTime end() const { return start + step * static_cast<int64_t>(values.size()); }
  std::optional<double> at(UtcTime t) const;
};

// The time-weighted mean of the series over each grid step. An error names the first grid step the series
// does not cover.
Result<std::vector<double>> resample_mean(const TimeSeries& series, const TimeGrid& grid,
                                          const std::string& what);

// `top` laid over `base`: over the span of both, top's value wherever it has one (not NaN), else base's, else
// NaN; on the finer of their steps (which must divide each other). An error names a step mismatch or a span
// too long to hold.
Result<TimeSeries> overlay(const TimeSeries& base, const TimeSeries& top);

}  // namespace voltpool
