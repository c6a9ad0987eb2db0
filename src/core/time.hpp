// Time in voltpool is UTC (`UtcTime`, whole seconds). A `TimeGrid` is the regular step grid that plans,
// simulations and meters share: step i covers [start + i*step, start + (i+1)*step).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace voltpool {

using UtcTime = std::chrono::sys_seconds;
using LocalTime = std::chrono::local_seconds;
using Seconds = std::chrono::seconds;

inline constexpr Seconds kDefaultStep{15 * 60};

struct TimeGrid {
  UtcTime start{};
  Seconds step = kDefaultStep;
  int steps = 0;

  double dt_h() const { return static_cast<double>(step.count()) / 3600.0; }
  UtcTime time_of(int64_t i) const { return start + step * i; }
  UtcTime end() const { return time_of(steps); }
  // Index of the step that contains t (floor); may lie outside [0, steps).
  int64_t step_containing(UtcTime t) const;
  // Index of the first step that starts at or after t (ceil).
  int64_t first_step_at_or_after(UtcTime t) const;
};

// "2024-06-03T12:00:00Z"
std::string format_utc(UtcTime t);
// Calendar date of a UTC day number, "2024-06-03".
std::string format_date(std::chrono::sys_days d);

}  // namespace voltpool
