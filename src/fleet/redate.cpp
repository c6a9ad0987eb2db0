#include "fleet/redate.hpp"

#include <algorithm>
#include <cstdlib>

namespace voltpool {

using namespace std::chrono;

std::optional<Days> choose_source_day(Days first_day, Days last_day, Days target_from, int days) {
  if (last_day < first_day) return std::nullopt;
  std::optional<Days> best;
  long best_k = 0;
  for (long k = -60; k <= 60; ++k) {
    Days cand = target_from - std::chrono::days{364 * k};
    if (cand >= first_day && cand + std::chrono::days{days - 1} <= last_day) {
      if (!best || std::labs(k) < std::labs(best_k)) {
        best = cand;
        best_k = k;
      }
    }
  }
  if (best) return best;
  weekday want{target_from};
  for (Days d = first_day; d <= last_day; d += std::chrono::days{1}) {
    if (weekday{d} == want) return d;
  }
  return std::nullopt;
}

UtcTime Redating::apply(UtcTime t) const {
  LocalTime local = to_local(from_tz, t) + shift;
  if (auto u = to_utc(to_tz, local, AmbiguousPick::kEarlier)) return *u;
  return *to_utc(to_tz, local + hours{1}, AmbiguousPick::kEarlier);  // inside the skipped spring hour
}

std::vector<RecordedSession> redate_sessions(const std::vector<RecordedSession>& sessions, const Redating& r,
                                             UtcTime window_start, UtcTime window_end) {
  std::vector<RecordedSession> out;
  for (const auto& s : sessions) {
    UtcTime arrival = r.apply(s.arrival);
    if (arrival < window_start || arrival >= window_end) continue;
    RecordedSession m = s;
    // Durations are kept exactly (a session across a DST change in one zone but not the other stays as long).
    m.arrival = arrival;
    m.departure = arrival + (s.departure - s.arrival);
    if (s.est_departure) m.est_departure = arrival + (*s.est_departure - s.arrival);
    out.push_back(std::move(m));
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const RecordedSession& a, const RecordedSession& b) { return a.arrival < b.arrival; });
  return out;
}

Result<std::vector<double>> redate_series(const TimeSeries& series, const Redating& r, const TimeGrid& grid,
                                          const std::string& what) {
  // Each grid step is looked up at the source instant with the same wall-clock time, shift earlier.
  Redating back{r.to_tz, r.from_tz, -r.shift};
  std::vector<double> out(static_cast<size_t>(grid.steps));
  for (int i = 0; i < grid.steps; ++i) {
    UtcTime src = back.apply(grid.time_of(i));
    TimeGrid one{src, grid.step, 1};
    auto v = resample_mean(series, one, what);
    if (!v.ok()) return Error{v.error().message + " (re-dated onto " + format_utc(grid.time_of(i)) + ")"};
    out[static_cast<size_t>(i)] = (*v)[0];
  }
  return out;
}

std::pair<Days, Days> arrival_day_range(const std::vector<RecordedSession>& sessions, const TimeZone& tz) {
  Days first = Days::max(), last = Days::min();
  for (const auto& s : sessions) {
    Days d{floor<std::chrono::days>(to_local(tz, s.arrival)).time_since_epoch()};
    first = std::min(first, d);
    last = std::max(last, d);
  }
  return {first, last};
}

}  // namespace voltpool
