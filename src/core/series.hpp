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

}  // namespace voltpool
