#include "core/timezone.hpp"

namespace voltpool {

using namespace std::chrono;

namespace {

// The n-th (1-based) weekday `wd` of a month, or the last one when n == 0.
sys_days nth_weekday(year y, month m, weekday wd, unsigned n) {
  if (n == 0) return sys_days{year_month_weekday_last{y, m, weekday_last{wd}}};
  return sys_days{year_month_weekday{y, m, weekday_indexed{wd, n}}};
}

bool in_summer_time(const TimeZone& tz, UtcTime t) {
  year y = year_month_day{floor<days>(t)}.year();
  switch (tz.rule) {
    case DstRule::kNone:
      return false;
    case DstRule::kEu: {
      UtcTime begin = nth_weekday(y, March, Sunday, 0) + hours{1};
      UtcTime end = nth_weekday(y, October, Sunday, 0) + hours{1};
      return t >= begin && t < end;
    }
    case DstRule::kUs: {
      UtcTime begin = nth_weekday(y, March, Sunday, 2) + hours{2} - tz.standard_offset;
      UtcTime end = nth_weekday(y, November, Sunday, 1) + hours{2} - (tz.standard_offset + hours{1});
      return t >= begin && t < end;
    }
  }
  return false;
}

}  // namespace

TimeZone europe_berlin() { return {"Europe/Berlin", hours{1}, DstRule::kEu}; }
TimeZone europe_london() { return {"Europe/London", hours{0}, DstRule::kEu}; }
TimeZone america_los_angeles() { return {"America/Los_Angeles", hours{-8}, DstRule::kUs}; }
TimeZone utc_zone() { return {"UTC", hours{0}, DstRule::kNone}; }

std::optional<TimeZone> find_time_zone(std::string_view name) {
  for (TimeZone tz : {europe_berlin(), europe_london(), america_los_angeles(), utc_zone()}) {
    if (tz.name == name) return tz;
  }
  return std::nullopt;
}

Seconds utc_offset_at(const TimeZone& tz, UtcTime t) {
  return tz.standard_offset + (in_summer_time(tz, t) ? Seconds{hours{1}} : Seconds{0});
}

LocalTime to_local(const TimeZone& tz, UtcTime t) {
  return LocalTime{(t + utc_offset_at(tz, t)).time_since_epoch()};
}

namespace {
// Each UTC instant whose local time in tz is `local`, in time order (zero, one or two of them).
int candidates(const TimeZone& tz, LocalTime local, UtcTime out[2]) {
  int n = 0;
  Seconds offsets[2] = {tz.standard_offset + hours{1}, tz.standard_offset};  // summer first: earlier instant
  for (Seconds off : offsets) {
    if (tz.rule == DstRule::kNone && off != tz.standard_offset) continue;
    UtcTime t{local.time_since_epoch() - off};
    if (utc_offset_at(tz, t) == off) out[n++] = t;
  }
  return n;
}
}  // namespace

std::optional<UtcTime> to_utc(const TimeZone& tz, LocalTime local, AmbiguousPick pick) {
  UtcTime found[2];
  int n = candidates(tz, local, found);
  if (n == 0) return std::nullopt;
  if (n == 2 && pick == AmbiguousPick::kLater) return found[1];
  return found[0];
}

bool is_ambiguous(const TimeZone& tz, LocalTime local) {
  UtcTime found[2];
  return candidates(tz, local, found) == 2;
}

}  // namespace voltpool
