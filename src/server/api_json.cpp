#include "server/api_json.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

#include <fmt/format.h>

#include "data/parse.hpp"

namespace voltpool::server {

using nlohmann::json;

// Text that came from a request may not be UTF-8: replaced (U+FFFD), never thrown over.
HttpResponse json_response(int status, const json& body) {
  return {status, "application/json", body.dump(-1, ' ', false, json::error_handler_t::replace)};
}

bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return false;
    i += n;
  }
  return true;
}
HttpResponse error(int status, const std::string& message) { return json_response(status, {{"error", message}}); }

json optional_number(const std::optional<double>& x) { return x ? json(*x) : json(nullptr); }

json session_json(const store::TransactionRecord& t) {
  std::optional<double> energy;
  if (t.last_energy_import_wh && t.meter_start_wh) energy = *t.last_energy_import_wh - *t.meter_start_wh;
  return {{"id", t.session_id}, {"station_id", t.station_id}, {"transaction_id", t.transaction_id},
          {"evse_id", t.evse_id}, {"id_token", t.id_token}, {"started", format_utc(t.started)},
          {"stopped", t.stopped ? json(format_utc(*t.stopped)) : json(nullptr)},
          {"meter_start_wh", optional_number(t.meter_start_wh)}, {"meter_stop_wh", optional_number(t.meter_stop_wh)},
          {"energy_wh", optional_number(energy)}, {"stop_reason", t.stop_reason}};
}

json schedule_json(const ocpp::PowerSchedule& s) {
  json periods = json::array();
  for (const auto& p : s.periods) periods.push_back({{"start_offset_s", p.start_offset_s}, {"limit_w", p.limit_w}});
  return {{"start", format_utc(s.start)}, {"duration_s", s.duration_s}, {"periods", periods}};
}

std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> out;
  while (!path.empty()) {
    if (path.front() == '/') {
      path.remove_prefix(1);
      continue;
    }
    auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash);
  }
  return out;
}

std::optional<std::string> query_value(std::string_view query, std::string_view key) {
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    auto eq = pair.find('=');
    if (pair.substr(0, eq) == key) return std::string(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

std::optional<std::int64_t> parse_id(std::string_view text) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v <= 0) return std::nullopt;
  return v;
}

PlannedTotals planned_totals(const ocpp::PowerSchedule& s, UtcTime now, const std::optional<TimeSeries>& prices,
                             const std::optional<TimeSeries>& carbon) {
  PlannedTotals out;
  constexpr Seconds kSlice{300};  // finer than any period, price or carbon step voltpool plans on
  const UtcTime end = s.start + Seconds(s.duration_s);
  for (UtcTime t = std::max(now, s.start); t < end; t += kSlice) {
    double kwh = scheduled_w(s, t) / 1000.0 * static_cast<double>(std::min(kSlice, end - t).count()) / 3600.0;
    auto value_at = [&](const std::optional<TimeSeries>& series) {
      auto v = series ? series->at(t) : std::nullopt;
      return v && !std::isnan(*v) ? *v : 0.0;
    };
    out.energy_kwh += kwh;
    out.cost_eur += kwh * value_at(prices);
    out.co2_kg += kwh * value_at(carbon);
  }
  return out;
}

Result<TimeSeries> series_from_json(const std::string& body, const std::string& values_key, double max_abs) {
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return Error{"body must be a JSON object {start, step_s, " + values_key + "}"};
  for (auto& [key, v] : j.items())
    if (key != "start" && key != "step_s" && key != values_key) return Error{"unknown field '" + key + "'"};
  if (!j.contains("start") || !j["start"].is_string()) return Error{"'start' must be a date-time string (UTC)"};
  auto start = parse_iso_with_offset(j["start"].get<std::string>());
  if (!start) return Error{"'start' must be like 2024-06-03T00:00:00Z, got " + j["start"].dump()};
  if (!j.contains("step_s") || !j["step_s"].is_number_integer() || j["step_s"].get<std::int64_t>() < 60 ||
      j["step_s"].get<std::int64_t>() > 86400)
    return Error{"'step_s' must be an integer number of seconds in [60, 86400]"};
  if (!j.contains(values_key) || !j[values_key].is_array() || j[values_key].empty() || j[values_key].size() > 100000)
    return Error{"'" + values_key + "' must be a non-empty array of numbers (at most 100,000)"};
  TimeSeries series;
  series.start = *start;
  series.step = Seconds(j["step_s"].get<std::int64_t>());
  // Settlement and planning intervals are aligned to the step since the epoch; so must the series be.
  if (series.start.time_since_epoch() % series.step != Seconds(0))
    return Error{fmt::format("'start' must fall on a whole step of {} s (e.g. a full hour for 3600)", series.step.count())};
  for (std::size_t i = 0; i < j[values_key].size(); ++i) {
    const json& v = j[values_key][i];
    if (!v.is_number() || !std::isfinite(v.get<double>()) || std::abs(v.get<double>()) > max_abs)
      return Error{fmt::format("'{}'[{}] must be a number within ±{}, got {}", values_key, i, max_abs, v.dump())};
    series.values.push_back(v.get<double>());
  }
  return series;
}

json preferences_json(const std::string& owner_id, const store::OwnerPreferences& p) {
  json departure = nullptr;
  if (p.departure_minute_utc) departure = fmt::format("{:02d}:{:02d}", *p.departure_minute_utc / 60, *p.departure_minute_utc % 60);
  return {{"owner_id", owner_id}, {"departure_time_utc", departure},
          {"target_energy_kwh", optional_number(p.target_energy_kwh)}, {"min_energy_kwh", optional_number(p.min_energy_kwh)},
          {"v2g_consent", p.v2g_consent}, {"wear_budget_eur", optional_number(p.wear_budget_eur)},
          {"target_soc_pct", optional_number(p.target_soc_pct)}, {"min_soc_pct", optional_number(p.min_soc_pct)},
          {"weekly_discharge_cap_kwh", optional_number(p.weekly_discharge_cap_kwh)}};
}

// The PUT body: every field optional (absent or null: not set), nothing else allowed; errors name the field.
Result<store::OwnerPreferences> preferences_from_json(const std::string& body) {
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Error{"body must be a JSON object"};
  store::OwnerPreferences p;
  for (auto& [key, v] : j.items()) {
    if (v.is_null()) continue;
    auto number_in = [&](double lo, double hi) -> Result<double> {
      if (!v.is_number() || !std::isfinite(v.get<double>()) || v.get<double>() < lo || v.get<double>() > hi)
        return Error{fmt::format("'{}' must be a number in [{}, {}], got {}", key, lo, hi, v.dump())};
      return v.get<double>();
    };
    if (key == "departure_time_utc") {
      std::string t = v.is_string() ? v.get<std::string>() : "";
      int h = 0, m = 0;
      if (t.size() != 5 || t[2] != ':' || std::sscanf(t.c_str(), "%2d:%2d", &h, &m) != 2 || h > 23 || m > 59 || h < 0 || m < 0)
        return Error{"'departure_time_utc' must be \"HH:MM\", got " + v.dump()};
      p.departure_minute_utc = h * 60 + m;
    } else if (key == "target_energy_kwh") {
      auto x = number_in(0, 250);
      if (!x) return x.error();
      p.target_energy_kwh = *x;
    } else if (key == "min_energy_kwh") {
      auto x = number_in(0, 250);
      if (!x) return x.error();
      p.min_energy_kwh = *x;
    } else if (key == "target_soc_pct" || key == "min_soc_pct") {
      auto x = number_in(0, 100);
      if (!x) return x.error();
      (key == "target_soc_pct" ? p.target_soc_pct : p.min_soc_pct) = *x;
    } else if (key == "weekly_discharge_cap_kwh") {
      auto x = number_in(0, 10000);
      if (!x) return x.error();
      p.weekly_discharge_cap_kwh = *x;
    } else if (key == "wear_budget_eur") {
      auto x = number_in(0, 100000);
      if (!x) return x.error();
      p.wear_budget_eur = *x;
    } else if (key == "v2g_consent") {
      if (!v.is_boolean()) return Error{"'v2g_consent' must be true or false, got " + v.dump()};
      p.v2g_consent = v.get<bool>();
    } else if (key != "owner_id") {
      return Error{"unknown field '" + key + "'"};
    }
  }
  if (p.target_soc_pct && p.min_soc_pct && *p.min_soc_pct > *p.target_soc_pct)
    return Error{"'min_soc_pct' must not be above 'target_soc_pct'"};
  return p;
}

json vehicle_json(const store::VehicleRecord& v) {
  return {{"id", v.id}, {"owner_id", v.owner_id}, {"id_token", v.id_token}, {"name", v.name},
          {"battery_kwh", v.battery_kwh}, {"max_charge_kw", v.max_charge_kw}, {"max_discharge_kw", v.max_discharge_kw}};
}

Result<store::VehicleRecord> vehicle_from_json(const std::string& id, const std::string& body) {
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Error{"body must be a JSON object"};
  store::VehicleRecord v;
  v.id = id;
  for (auto& [key, x] : j.items()) {
    auto text = [&](std::string& out) -> Status {
      if (!x.is_string() || x.get<std::string>().size() > 128)
        return Error{fmt::format("'{}' must be a string of at most 128 characters, got {}", key, x.dump())};
      out = x.get<std::string>();
      return ok_status();
    };
    auto number = [&](double& out, double hi) -> Status {
      if (!x.is_number() || !std::isfinite(x.get<double>()) || x.get<double>() < 0 || x.get<double>() > hi)
        return Error{fmt::format("'{}' must be a number in [0, {}], got {}", key, hi, x.dump())};
      out = x.get<double>();
      return ok_status();
    };
    Status s = ok_status();
    if (key == "owner_id") s = text(v.owner_id);
    else if (key == "id_token") s = text(v.id_token);
    else if (key == "name") s = text(v.name);
    else if (key == "battery_kwh") s = number(v.battery_kwh, 500);
    else if (key == "max_charge_kw") s = number(v.max_charge_kw, 1000);
    else if (key == "max_discharge_kw") s = number(v.max_discharge_kw, 1000);
    else if (key != "id") return Error{"unknown field '" + key + "'"};
    if (!s) return s.error();
  }
  return v;
}

}  // namespace voltpool::server
