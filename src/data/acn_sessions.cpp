#include "data/acn_sessions.hpp"

#include <algorithm>
#include <map>

#include "data/parse.hpp"

namespace voltpool {

namespace {

// Sets each session's charge point rating from what its station showed (see kAcnLevel2Kw).
void rate_stations(std::vector<RecordedSession>& sessions) {
  std::map<std::string, std::vector<double>> avg_kw;
  for (const auto& s : sessions) {
    double h = std::chrono::duration<double, std::ratio<3600>>(s.departure - s.arrival).count();
    if (h > 0) avg_kw[s.station_id].push_back(s.delivered_kwh / h);
  }
  std::map<std::string, std::pair<double, bool>> rating;
  for (auto& [station, v] : avg_kw) {
    std::sort(v.begin(), v.end());
    bool dc = v[v.size() / 2] > 7.7;
    rating[station] = {dc ? kAcnDcFastKw : std::max(kAcnLevel2Kw, v.back()), dc};
  }
  for (auto& s : sessions) {
    auto it = rating.find(s.station_id);
    s.evse_max_kw = it == rating.end() ? kAcnLevel2Kw : it->second.first;
    s.evse_dc = it != rating.end() && it->second.second;
  }
}

}  // namespace

Result<SessionSet> load_acn_sessions(const std::string& path, const LoadOptions& opts, LoadStats& stats) {
  auto file = CsvFile::open(path);
  if (!file.ok()) return file.error();
  CsvFile& csv = *file;
  auto cols = csv.require_columns({"arrival", "departure", "requested_energy (kWh)", "delivered_energy (kWh)",
                                    "station_id", "session_id", "estimated_departure", "claimed"});
  if (!cols.ok()) return cols.error();
  const std::vector<size_t>& col = *cols;
  SessionSet set;
  set.source = path;
  set.site_tz = america_los_angeles();
  while (csv.next()) {
    ++stats.rows_read;
    auto row = [&]() -> Result<RecordedSession> {
      RecordedSession s;
      auto arrival = parse_iso_with_offset(csv.field(col[0]));
      if (!arrival) return csv.bad_field(col[0], "a time 'YYYY-MM-DD HH:MM:SS+HH:MM'");
      auto departure = parse_iso_with_offset(csv.field(col[1]));
      if (!departure) return csv.bad_field(col[1], "a time 'YYYY-MM-DD HH:MM:SS+HH:MM'");
      if (*departure < *arrival) return csv.bad_field(col[1], "a departure not before the arrival");
      auto claimed = parse_bool(csv.field(col[7]));
      if (!claimed) return csv.bad_field(col[7], "True or False");
      auto delivered = parse_number(csv.field(col[3]));
      if (!delivered || *delivered < 0) return csv.bad_field(col[3], "a non-negative energy in kWh");
      s.arrival = *arrival;
      s.departure = *departure;
      s.delivered_kwh = *delivered;
      s.station_id = csv.field(col[4]);
      s.id = csv.field(col[5]);
      if (s.id.empty()) return csv.bad_field(col[5], "a session id");
      if (*claimed) {
        auto requested = parse_number(csv.field(col[2]));
        if (!requested || *requested < 0) return csv.bad_field(col[2], "a non-negative energy in kWh");
        auto est = parse_iso_with_offset(csv.field(col[6]));
        if (!est) return csv.bad_field(col[6], "a time 'YYYY-MM-DD HH:MM:SS+HH:MM'");
        s.requested_kwh = *requested;
        s.est_departure = *est;
      }
      s.site = s.station_id.rfind("CA-", 0) == 0 || s.station_id == "11900388" ? "Caltech" : "JPL";
      return s;
    }();
    if (!row.ok()) {
      if (stats.skip(row.error(), opts)) continue;
      return row.error();
    }
    set.sessions.push_back(std::move(*row));
  }
  if (auto e = csv.read_error()) return *e;
  rate_stations(set.sessions);
  set.rows_skipped_malformed = stats.rows_skipped;
  return set;
}

}  // namespace voltpool
