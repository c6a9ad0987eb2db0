#include "data/parse.hpp"

#include <charconv>
#include <cmath>
#include <string>

namespace voltpool {

using namespace std::chrono;

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool parse_uint(std::string_view s, int& out) {
  if (s.empty()) return false;
  auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc{} && r.ptr == s.data() + s.size() && out >= 0;
}

std::optional<sys_days> make_date(int y, int m, int d) {
  year_month_day ymd{year{y}, month{static_cast<unsigned>(m)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  return sys_days{ymd};
}

std::optional<Seconds> parse_hms(std::string_view s) {
  // HH:MM or HH:MM:SS (fractional seconds ignored)
  if (s.size() < 5 || s[2] != ':') return std::nullopt;
  int h, m, sec = 0;
  if (!parse_uint(s.substr(0, 2), h) || !parse_uint(s.substr(3, 2), m)) return std::nullopt;
  if (s.size() > 5) {
    if (s[5] != ':' || s.size() < 8 || !parse_uint(s.substr(6, 2), sec)) return std::nullopt;
    if (s.size() > 8 && s[8] != '.') return std::nullopt;
  }
  if (h > 23 || m > 59 || sec > 60) return std::nullopt;
  return hours{h} + minutes{m} + seconds{sec};
}

}  // namespace

std::optional<double> parse_number(std::string_view s) {
  s = trim(s);
  if (s.empty()) return std::nullopt;
  if (s.front() == '+') s.remove_prefix(1);
  double v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc{} || r.ptr != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<double> parse_decimal_comma(std::string_view s) {
  s = trim(s);
  std::string plain;
  for (char c : s) {
    if (c == '.') continue;
    plain += (c == ',') ? '.' : c;
  }
  if (plain.find_first_of("eE") != std::string::npos) return std::nullopt;
  return parse_number(plain);
}

std::optional<bool> parse_bool(std::string_view s) {
  s = trim(s);
  if (s == "True" || s == "true" || s == "TRUE") return true;
  if (s == "False" || s == "false" || s == "FALSE") return false;
  return std::nullopt;
}

std::optional<sys_days> parse_iso_date(std::string_view s) {
  s = trim(s);
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  int y, m, d;
  if (!parse_uint(s.substr(0, 4), y) || !parse_uint(s.substr(5, 2), m) || !parse_uint(s.substr(8, 2), d))
    return std::nullopt;
  return make_date(y, m, d);
}

std::optional<UtcTime> parse_iso_with_offset(std::string_view s) {
  s = trim(s);
  if (s.size() < 17 || (s[10] != ' ' && s[10] != 'T')) return std::nullopt;
  auto date = parse_iso_date(s.substr(0, 10));
  if (!date) return std::nullopt;
  std::string_view rest = s.substr(11);
  size_t tz_at = rest.find_first_of("+-Z", 5);
  if (tz_at == std::string_view::npos) return std::nullopt;
  auto tod = parse_hms(rest.substr(0, tz_at));
  if (!tod) return std::nullopt;
  std::string_view tz = rest.substr(tz_at);
  Seconds offset{0};
  if (tz != "Z") {
    if (tz.size() != 6 || tz[3] != ':') return std::nullopt;
    int oh, om;
    if (!parse_uint(tz.substr(1, 2), oh) || !parse_uint(tz.substr(4, 2), om) || oh > 14 || om > 59)
      return std::nullopt;
    offset = hours{oh} + minutes{om};
    if (tz[0] == '-') offset = -offset;
  }
  return UtcTime{*date} + *tod - offset;
}

std::optional<LocalTime> parse_dmy_hm(std::string_view date, std::string_view time, char sep) {
  date = trim(date);
  time = trim(time);
  if (date.size() != 10 || date[2] != sep || date[5] != sep) return std::nullopt;
  int d, m, y;
  if (!parse_uint(date.substr(0, 2), d) || !parse_uint(date.substr(3, 2), m) || !parse_uint(date.substr(6, 4), y))
    return std::nullopt;
  auto day = make_date(y, m, d);
  auto tod = parse_hms(time);
  if (!day || !tod || time.size() != 5) return std::nullopt;
  return LocalTime{day->time_since_epoch()} + *tod;
}

}  // namespace voltpool
