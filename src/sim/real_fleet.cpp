#include "sim/real_fleet.hpp"

#include <algorithm>
#include <string>
#include <unordered_map>

namespace voltpool {

using namespace std::chrono;

Result<RealFleet> build_real_fleet(const SessionSet& set, const TimeSeries& prices, const TimeSeries* carbon,
                                   const TimeZone& carbon_tz, const RealFleetOptions& opts) {
  if (opts.days <= 0) return Error{"--days must be at least 1"};
  if (set.sessions.empty()) return Error{set.source + ": no sessions"};
  RealFleet out;
  auto [first_day, last_day] = arrival_day_range(set.sessions, set.site_tz);
  if (opts.sessions_from) {
    out.sessions_from = *opts.sessions_from;
  } else {
    auto chosen = choose_source_day(first_day, last_day, opts.from, opts.days);
    if (!chosen) return Error{set.source + ": no session day to map onto " + format_date(opts.from)};
    out.sessions_from = *chosen;
  }
  out.shift = opts.from - out.sessions_from;
  Redating redating{set.site_tz, opts.market_tz, out.shift};

  auto local_midnight = [&](sys_days d) {
    return *to_utc(opts.market_tz, LocalTime{d.time_since_epoch()}, AmbiguousPick::kEarlier);
  };
  UtcTime window_start = local_midnight(opts.from);
  UtcTime window_end = local_midnight(opts.from + days{opts.days});
  auto recorded = redate_sessions(set.sessions, redating, window_start, window_end);
  std::vector<int> replay(recorded.size(), 0);
  if (opts.repeat_sessions) {
    if (out.sessions_from > last_day) {
      return Error{set.source + ": --repeat-sessions: the data ends on " + format_date(last_day) + ", before " +
                   format_date(out.sessions_from)};
    }
    // One replay period: the data's whole weeks from the mapped day on; replay k covers [from + kP, from + (k+1)P).
    // A replayed session that would arrive before the same driver's previous one leaves is dropped.
    const days period{((last_day - out.sessions_from).count() / 7 + 1) * 7};
    std::unordered_map<std::string, UtcTime> leaves;  // per driver: the latest departure so far
    for (const auto& r : recorded) {
      if (!r.vehicle_id.empty()) leaves[r.vehicle_id] = std::max(leaves[r.vehicle_id], r.departure);
    }
    for (int k = 1; opts.from + period * k < opts.from + days{opts.days}; ++k) {
      Redating again{set.site_tz, opts.market_tz, out.shift + period * k};
      UtcTime begin = local_midnight(opts.from + period * k);
      UtcTime end = std::min(window_end, local_midnight(opts.from + period * (k + 1)));
      for (auto& r : redate_sessions(set.sessions, again, begin, end)) {
        if (!r.vehicle_id.empty()) {
          auto [it, added] = leaves.emplace(r.vehicle_id, r.departure);
          if (!added && r.arrival < it->second) continue;
          it->second = std::max(it->second, r.departure);
        }
        recorded.push_back(std::move(r));
        replay.push_back(k);
      }
    }
  }
  if (recorded.empty()) {
    return Error{set.source + ": no sessions arrive between " + format_date(out.sessions_from) + " and " +
                 format_date(out.sessions_from + days{opts.days - 1}) + " (the data covers " + format_date(first_day) +
                 " to " + format_date(last_day) + ")"};
  }
  SimulationInput& in = out.input;
  UtcTime last_departure = window_end;
  for (size_t k = 0; k < recorded.size(); ++k) {
    PlugSession s = to_plug_session(recorded[k], opts.vehicle, opts.owner);
    if (replay[k] > 0) s.id += "~" + std::to_string(replay[k]);
    if (opts.planners_know_actual_departure) s.needs.est_departure = s.departure;
    last_departure = std::max({last_departure, s.departure, s.needs.est_departure});
    in.sessions.push_back(std::move(s));
  }
  in.grid.start = window_start;
  in.grid.step = opts.step;
  in.grid.steps = static_cast<int>(in.grid.first_step_at_or_after(last_departure));

  auto price = resample_mean(prices, in.grid, "the price series");
  if (!price.ok()) return price.error();
  in.price_eur_per_kwh = std::move(*price);
  in.price_published_step.resize(static_cast<size_t>(in.grid.steps));
  for (int t = 0; t < in.grid.steps; ++t) {
    LocalTime local = to_local(opts.market_tz, in.grid.time_of(t));
    auto day = floor<days>(local);
    LocalTime published = day - days{1} + hours{opts.day_ahead_published_hour};
    UtcTime at = *to_utc(opts.market_tz, published, AmbiguousPick::kEarlier);
    in.price_published_step[static_cast<size_t>(t)] = static_cast<int>(std::max<int64_t>(0, in.grid.first_step_at_or_after(at)));
  }
  if (carbon) {
    auto cfirst = sys_days{floor<days>(to_local(carbon_tz, carbon->start)).time_since_epoch()} + days{1};
    auto clast = sys_days{floor<days>(to_local(carbon_tz, carbon->end())).time_since_epoch()} - days{1};
    int span_days = static_cast<int>(ceil<days>(in.grid.end() - in.grid.start).count()) + 1;
    auto cday = choose_source_day(cfirst, clast, opts.from, span_days);
    if (!cday) return Error{"the carbon series has no day to map onto " + format_date(opts.from)};
    out.carbon_from = *cday;
    Redating carbon_redating{carbon_tz, opts.market_tz, opts.from - *cday};
    auto c = redate_series(*carbon, carbon_redating, in.grid, "the carbon series");
    if (!c.ok()) return c.error();
    in.carbon_kg_per_kwh = std::move(*c);
  }
  in.site.import_kw = opts.site_limit_kw;
  in.site.export_kw = opts.site_limit_kw;
  return out;
}

}  // namespace voltpool
