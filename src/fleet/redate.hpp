// Re-dating: session data sets (2016-2021) and price data (2023-2024) do not overlap, so sessions are moved
// onto the price calendar by whole weeks, keeping each event's local wall-clock time and weekday: a car that
// arrived at 08:10 local on a Monday at its site arrives at 08:10 local on a Monday in the price zone.
#pragma once

#include <chrono>
#include <optional>
#include <vector>

#include "core/series.hpp"
#include "core/timezone.hpp"
#include "fleet/session.hpp"

namespace voltpool {

using Days = std::chrono::sys_days;

// The source day to map onto `target_from`: target_from minus a whole number of 52-week years (364 days)
// such that [day, day + days) lies within [first_day, last_day]; the nearest such shift wins. Without one,
// the first day on or after first_day with target_from's weekday. nullopt if the data has no such day.
std::optional<Days> choose_source_day(Days first_day, Days last_day, Days target_from, int days);

struct Redating {
  TimeZone from_tz;
  TimeZone to_tz;
  std::chrono::days shift{0};  // target day - source day, a whole number of weeks

  UtcTime apply(UtcTime t) const;
};

// Sessions whose arrival, re-dated, falls in [window_start, window_end), re-dated and sorted by arrival.
std::vector<RecordedSession> redate_sessions(const std::vector<RecordedSession>& sessions, const Redating& r,
                                             UtcTime window_start, UtcTime window_end);

// A regular series re-dated the same way, resampled onto `grid` (time-weighted mean). An error names the first
// grid step the source does not cover.
Result<std::vector<double>> redate_series(const TimeSeries& series, const Redating& r, const TimeGrid& grid,
                                          const std::string& what);

// First and last local calendar day (in tz) on which a session arrives.
std::pair<Days, Days> arrival_day_range(const std::vector<RecordedSession>& sessions, const TimeZone& tz);

}  // namespace voltpool
