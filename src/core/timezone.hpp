// The few civil time zones the data sets use, with their daylight-saving rules written out (g++ 12's
// standard library has no time-zone database). EU rule: summer time from the last Sunday of March 01:00 UTC
// to the last Sunday of October 01:00 UTC (Europe/Berlin for all SMARD zones, Europe/London for the
// Scottish councils). US rule since 2007: second Sunday of March 02:00 local to first Sunday of November
// 02:00 local (America/Los_Angeles for Caltech/JPL).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/time.hpp"

namespace voltpool {

enum class DstRule { kNone, kEu, kUs };

struct TimeZone {
  std::string name;
  Seconds standard_offset{0};  // east of UTC
  DstRule rule = DstRule::kNone;
};

TimeZone europe_berlin();
TimeZone europe_london();
TimeZone america_los_angeles();
TimeZone utc_zone();
// By IANA name; nullopt for a zone voltpool does not know.
std::optional<TimeZone> find_time_zone(std::string_view name);

Seconds utc_offset_at(const TimeZone& tz, UtcTime t);
LocalTime to_local(const TimeZone& tz, UtcTime t);

// A wall-clock time that occurs twice (the repeated hour when clocks go back) is resolved by `pick`.
enum class AmbiguousPick { kEarlier, kLater };
// nullopt when the wall-clock time does not exist (the skipped hour when clocks go forward).
std::optional<UtcTime> to_utc(const TimeZone& tz, LocalTime local, AmbiguousPick pick);
// True when `local` occurs twice in `tz`.
bool is_ambiguous(const TimeZone& tz, LocalTime local);

}  // namespace voltpool
