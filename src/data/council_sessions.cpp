#include "data/council_sessions.hpp"

#include <cctype>

#include "data/parse.hpp"

namespace voltpool {

std::optional<ChargePointRating> rate_charge_point_model(std::string_view model) {
  // "<digits>kW" or "<digits> kW"
  for (size_t i = 0; i < model.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(model[i])) || (i > 0 && std::isdigit(static_cast<unsigned char>(model[i - 1]))))
      continue;
    size_t j = i;
    while (j < model.size() && std::isdigit(static_cast<unsigned char>(model[j]))) ++j;
    size_t k = j;
    if (k < model.size() && model[k] == ' ') ++k;
    if (model.substr(k, 2) == "kW") {
      double kw = std::stod(std::string(model.substr(i, j - i)));
      bool dc = kw >= 50;
      return ChargePointRating{kw, dc};
    }
  }
  if (model.find("Semi-Rapid") != std::string_view::npos) return ChargePointRating{22, false};
  if (model.find("Rapid") != std::string_view::npos) return ChargePointRating{50, true};
  return std::nullopt;
}

Result<SessionSet> load_council_sessions(const std::string& path, const LoadOptions& opts, LoadStats& stats) {
  auto file = CsvFile::open(path);
  if (!file.ok()) return file.error();
  CsvFile& csv = *file;
  auto cols = csv.require_columns({"CP ID", "Start Date", "Start Time", "End Date", "End Time", "Total kWh", "Model",
                                    "Connector"});
  if (!cols.ok()) return cols.error();
  const std::vector<size_t>& col = *cols;
  auto event_col = csv.column("Charging event");
  auto user_col = csv.column("User ID");
  auto site_col = csv.column("Site");
  // Dundee's June-September file holds the vehicle model in its 16th column, which has no header.
  std::optional<size_t> vehicle_col;
  if (csv.header().size() >= 16 && csv.header()[15].empty() && user_col) vehicle_col = 15;

  SessionSet set;
  set.source = path;
  set.site_tz = europe_london();
  const TimeZone london = europe_london();
  while (csv.next()) {
    ++stats.rows_read;
    if (csv.field(col[3]).empty() || csv.field(col[4]).empty() || csv.field(col[5]).empty()) {
      ++set.rows_skipped_open;
      continue;
    }
    auto row = [&]() -> Result<RecordedSession> {
      RecordedSession s;
      auto start = parse_dmy_hm(csv.field(col[1]), csv.field(col[2]), '/');
      if (!start) return csv.bad_field(csv.field(col[1]).size() == 10 ? col[2] : col[1], "dd/mm/yyyy and HH:MM");
      auto end = parse_dmy_hm(csv.field(col[3]), csv.field(col[4]), '/');
      if (!end) return csv.bad_field(csv.field(col[3]).size() == 10 ? col[4] : col[3], "dd/mm/yyyy and HH:MM");
      auto kwh = parse_number(csv.field(col[5]));
      if (!kwh || *kwh < 0) return csv.bad_field(col[5], "a non-negative energy in kWh");
      auto rating = rate_charge_point_model(csv.field(col[6]));
      if (!rating) return csv.bad_field(col[6], "a charge point model that names its power");
      // A wall-clock time in the skipped spring hour is read one hour later. A time in the repeated autumn hour
      // is the first of the two for a start, and for an end whichever keeps the end after the start.
      auto to_utc_read = [&](LocalTime l, AmbiguousPick pick) {
        if (auto u = to_utc(london, l, pick)) return *u;
        return *to_utc(london, l + std::chrono::hours{1}, pick);
      };
      s.arrival = to_utc_read(*start, AmbiguousPick::kEarlier);
      s.departure = to_utc_read(*end, AmbiguousPick::kEarlier);
      if (s.departure < s.arrival) s.departure = to_utc_read(*end, AmbiguousPick::kLater);
      if (s.departure < s.arrival) return csv.bad_field(*end < *start - std::chrono::days{1} ? col[3] : col[4],
                                                        "an end not before the start");
      s.delivered_kwh = *kwh;
      s.evse_max_kw = rating->max_kw;
      s.evse_dc = rating->dc;
      s.station_id = csv.field(col[0]) + "/" + csv.field(col[7]);
      s.id = event_col ? csv.field(*event_col) : std::string();
      if (s.id.empty()) s.id = path.substr(path.find_last_of('/') + 1) + ":" + std::to_string(csv.line());
      if (user_col) s.vehicle_id = csv.field(*user_col);
      if (site_col) s.site = csv.field(*site_col);
      if (vehicle_col) s.vehicle_model = csv.field(*vehicle_col);
      return s;
    }();
    if (!row.ok()) {
      if (stats.skip(row.error(), opts)) continue;
      return row.error();
    }
    set.sessions.push_back(std::move(*row));
  }
  if (auto e = csv.read_error()) return *e;
  set.rows_skipped_malformed = stats.rows_skipped;
  return set;
}

}  // namespace voltpool
