#include "server/http_api.hpp"

#include <charconv>
#include <cstdio>
#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "data/parse.hpp"
#include "ocpp/csms/context.hpp"
#include "server/auth.hpp"
#include "server/openapi_document.hpp"

namespace voltpool::server {

using nlohmann::json;

namespace {

HttpResponse json_response(int status, const json& body) { return {status, "application/json", body.dump()}; }
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

Result<TimeSeries> prices_from_json(const std::string& body) {
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Error{"body must be a JSON object {start, step_s, eur_per_kwh}"};
  if (!j.contains("start") || !j["start"].is_string()) return Error{"'start' must be a date-time string (UTC)"};
  auto start = parse_iso_with_offset(j["start"].get<std::string>());
  if (!start) return Error{"'start' must be like 2024-06-03T00:00:00Z, got " + j["start"].dump()};
  if (!j.contains("step_s") || !j["step_s"].is_number_integer() || j["step_s"].get<std::int64_t>() < 60 ||
      j["step_s"].get<std::int64_t>() > 86400)
    return Error{"'step_s' must be an integer number of seconds in [60, 86400]"};
  if (!j.contains("eur_per_kwh") || !j["eur_per_kwh"].is_array() || j["eur_per_kwh"].empty() ||
      j["eur_per_kwh"].size() > 100000)
    return Error{"'eur_per_kwh' must be a non-empty array of prices (at most 100,000)"};
  TimeSeries series;
  series.start = *start;
  series.step = Seconds(j["step_s"].get<std::int64_t>());
  for (std::size_t i = 0; i < j["eur_per_kwh"].size(); ++i) {
    const json& v = j["eur_per_kwh"][i];
    if (!v.is_number() || !std::isfinite(v.get<double>()) || std::abs(v.get<double>()) > 100)
      return Error{fmt::format("'eur_per_kwh'[{}] must be a price within ±100 EUR/kWh, got {}", i, v.dump())};
    series.values.push_back(v.get<double>());
  }
  return series;
}

json preferences_json(const std::string& owner_id, const store::OwnerPreferences& p) {
  json departure = nullptr;
  if (p.departure_minute_utc) departure = fmt::format("{:02d}:{:02d}", *p.departure_minute_utc / 60, *p.departure_minute_utc % 60);
  return {{"owner_id", owner_id}, {"departure_time_utc", departure},
          {"target_energy_kwh", optional_number(p.target_energy_kwh)}, {"min_energy_kwh", optional_number(p.min_energy_kwh)},
          {"v2g_consent", p.v2g_consent}, {"wear_budget_eur", optional_number(p.wear_budget_eur)}};
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
  return p;
}

}  // namespace

const std::vector<Route>& HttpApi::routes() {
  static const std::vector<Route> all = {
      {"GET", "/healthz"},
      {"GET", "/metrics"},
      {"GET", "/openapi.json"},
      {"GET", "/api/stations"},
      {"GET", "/api/sessions"},
      {"GET", "/api/sessions/{id}"},
      {"GET", "/api/sessions/{id}/meter-values"},
      {"POST", "/api/sessions/{id}/stop"},
      {"GET", "/api/owners/{id}/earnings"},
      {"GET", "/api/owners/{id}/preferences"},
      {"PUT", "/api/owners/{id}/preferences"},
      {"GET", "/api/fleet/flexibility"},
      {"GET", "/api/plan"},
      {"GET", "/api/prices"},
      {"POST", "/api/prices"},
  };
  return all;
}

std::string_view HttpApi::openapi_json() { return kOpenApiDocument; }

HttpApi::HttpApi(store::Store& store, FleetBridge& bridge, RemoteControl* remote, std::function<std::string()> metrics,
                 settle::SettlementTerms terms)
    : store_(store), bridge_(bridge), remote_(remote), metrics_(std::move(metrics)), terms_(terms) {}

// Each of the owner's sessions settled from its stored meter values at the prices in use (see settle/).
HttpResponse HttpApi::earnings(const std::string& owner_id) const {
  auto prices = bridge_.prices();
  json sessions = json::array(), unsettled = json::array();
  settle::SessionSettlement total;
  std::vector<settle::LedgerEntry> ledger;
  for (const auto& t : store_.sessions(owner_id, std::nullopt, 100000)) {
    std::vector<settle::RegisterReading> readings;
    if (t.meter_start_wh) readings.push_back({t.started, *t.meter_start_wh, 0});
    double export_wh = 0;
    for (const auto& m : store_.meter_values(t.station_id, t.transaction_id)) {
      if (!m.sample.energy_import_wh) continue;
      if (m.sample.energy_export_wh) export_wh = *m.sample.energy_export_wh;
      readings.push_back({m.sample.time, *m.sample.energy_import_wh, export_wh});
    }
    if (t.stopped && t.meter_stop_wh) readings.push_back({*t.stopped, *t.meter_stop_wh, export_wh});
    if (!prices) {
      unsettled.push_back({{"id", t.session_id}, {"reason", "no prices loaded"}});
      continue;
    }
    auto station = store_.station(t.station_id);
    auto s = settle::settle_session(owner_id, readings, station ? station->max_power_kw : 0, *prices, terms_);
    if (!s) {
      unsettled.push_back({{"id", t.session_id}, {"reason", s.error().message}});
      continue;
    }
    json intervals = json::array();
    for (const auto& iv : s->intervals)
      intervals.push_back({{"start", format_utc(iv.start)}, {"import_kwh", iv.import_kwh}, {"export_kwh", iv.export_kwh}});
    sessions.push_back({{"id", t.session_id}, {"transaction_id", t.transaction_id}, {"import_kwh", s->import_kwh},
                        {"export_kwh", s->export_kwh}, {"import_cost_cents", s->import_cost},
                        {"export_revenue_cents", s->export_revenue}, {"uncontrolled_cost_cents", s->uncontrolled_cost},
                        {"savings_cents", s->savings}, {"platform_fee_cents", s->platform_fee},
                        {"owner_earnings_cents", s->owner_earnings}, {"intervals", intervals}});
    total.import_cost += s->import_cost;
    total.export_revenue += s->export_revenue;
    total.uncontrolled_cost += s->uncontrolled_cost;
    total.savings += s->savings;
    total.platform_fee += s->platform_fee;
    total.owner_earnings += s->owner_earnings;
    ledger.insert(ledger.end(), s->entries.begin(), s->entries.end());
  }
  json entries = json::array();
  for (const auto& e : ledger) entries.push_back({{"account", e.account}, {"amount_cents", e.amount}, {"memo", e.memo}});
  return json_response(200, {{"owner_id", owner_id}, {"currency", "EUR"}, {"platform_share", terms_.platform_share},
                             {"totals", {{"import_cost_cents", total.import_cost},
                                         {"export_revenue_cents", total.export_revenue},
                                         {"uncontrolled_cost_cents", total.uncontrolled_cost},
                                         {"savings_cents", total.savings}, {"platform_fee_cents", total.platform_fee},
                                         {"owner_earnings_cents", total.owner_earnings}}},
                             {"ledger", entries}, {"ledger_sum_cents", settle::ledger_sum(ledger)},
                             {"sessions", sessions}, {"unsettled", unsettled}});
}

HttpResponse HttpApi::handle(const HttpRequest& request) const {
  std::string_view target = request.target;
  auto q = target.find('?');
  std::string_view path = target.substr(0, q), query = q == std::string_view::npos ? "" : target.substr(q + 1);
  auto parts = segments(path);
  const bool get = request.method == "GET", post = request.method == "POST";

  if (path == "/healthz") return get ? HttpResponse{200, "text/plain", "ok\n"} : error(405, "GET only");
  if (path == "/openapi.json") return get ? HttpResponse{200, "application/json", std::string(openapi_json())} : error(405, "GET only");
  if (path == "/metrics") {
    if (!get) return error(405, "GET only");
    auto stats = bridge_.stats();
    std::string body = metrics_ ? metrics_() : "";
    body += fmt::format("# TYPE voltpool_open_sessions gauge\nvoltpool_open_sessions {}\n", stats.open_sessions);
    body += fmt::format("# TYPE voltpool_plans_total counter\nvoltpool_plans_total {}\n", stats.plans);
    body += fmt::format("# TYPE voltpool_plan_seconds gauge\nvoltpool_plan_seconds {}\n", stats.last_plan_ms / 1000.0);
    body += fmt::format("# TYPE voltpool_profiles_pushed_total counter\nvoltpool_profiles_pushed_total {}\n",
                        stats.profiles_pushed);
    body += fmt::format("# TYPE voltpool_meter_values_stored gauge\nvoltpool_meter_values_stored {}\n",
                        store_.meter_value_count());
    return {200, "text/plain; version=0.0.4", body};
  }
  if (parts.empty() || parts[0] != "api") return error(404, "no such resource");

  // Bearer tokens (voltpool tokens create): operators see everything, owners their own sessions only.
  constexpr std::string_view bearer = "Bearer ";
  if (request.authorization.compare(0, bearer.size(), bearer) != 0) return error(401, "a bearer token is required");
  auto token = store_.api_token(sha256_hex(std::string_view(request.authorization).substr(bearer.size())));
  if (!token) return error(401, "unknown token");
  const bool operator_ = token->role == store::ApiRole::operator_;
  std::optional<std::string> owner = operator_ ? std::nullopt : std::optional(token->owner_id);
  auto operator_only = [&] { return error(403, "this resource is for operators"); };
  auto visible_session = [&](std::string_view id_text) -> std::optional<store::TransactionRecord> {
    auto id = parse_id(id_text);
    if (!id) return std::nullopt;
    auto s = store_.session(*id);
    if (!s || (owner && store_.owner_of_id_token(s->id_token) != owner)) return std::nullopt;  // another's: 404
    return s;
  };

  if (parts.size() == 2 && parts[1] == "stations") {
    if (!get) return error(405, "GET only");
    if (!operator_) return operator_only();
    json out = json::array();
    for (const auto& s : store_.stations())
      out.push_back({{"id", s.id}, {"max_power_kw", s.max_power_kw}, {"vendor", s.vendor}, {"model", s.model}});
    return json_response(200, out);
  }
  if (parts.size() == 2 && parts[1] == "sessions") {
    if (!get) return error(405, "GET only");
    std::size_t limit = 1000;
    if (auto l = query_value(query, "limit")) {
      auto n = parse_id(*l);
      if (!n || *n > 100000) return error(400, "limit must be an integer in [1, 100000]");
      limit = static_cast<std::size_t>(*n);
    }
    auto tx = query_value(query, "transaction_id");
    json out = json::array();
    for (const auto& s : store_.sessions(owner, tx, limit)) out.push_back(session_json(s));
    return json_response(200, out);
  }
  if (parts.size() >= 3 && parts[1] == "sessions") {
    auto s = visible_session(parts[2]);
    if (!s) return error(404, "no such session");
    if (parts.size() == 3) return get ? json_response(200, session_json(*s)) : error(405, "GET only");
    if (parts.size() == 4 && parts[3] == "meter-values") {
      if (!get) return error(405, "GET only");
      json out = json::array();
      for (const auto& m : store_.meter_values(s->station_id, s->transaction_id))
        out.push_back({{"time", format_utc(m.sample.time)}, {"energy_import_wh", optional_number(m.sample.energy_import_wh)},
                       {"energy_export_wh", optional_number(m.sample.energy_export_wh)},
                       {"power_w", optional_number(m.sample.power_w)}, {"soc_pct", optional_number(m.sample.soc_pct)}});
      return json_response(200, out);
    }
    if (parts.size() == 4 && parts[3] == "stop") {
      if (!post) return error(405, "POST only");
      if (!operator_) return operator_only();
      if (s->stopped) return error(409, "the session has ended");
      if (!remote_ || !remote_->remote_stop(s->station_id, s->transaction_id))
        return error(409, fmt::format("station {} is not connected", s->station_id));
      return json_response(202, {{"sent", true}, {"station_id", s->station_id}, {"transaction_id", s->transaction_id}});
    }
    return error(404, "no such resource");
  }
  if (parts.size() == 4 && parts[1] == "owners" && parts[3] == "preferences") {
    std::string id(parts[2]);
    if (owner && *owner != id) return error(404, "no such owner");
    if (get) {
      auto p = store_.preferences(id);
      if (!p) return error(404, "no preferences for owner " + id);
      return json_response(200, preferences_json(id, *p));
    }
    if (request.method != "PUT") return error(405, "GET or PUT");
    auto p = preferences_from_json(request.body);
    if (!p) return error(400, p.error().message);
    if (auto stored = store_.put_preferences(id, *p); !stored) return error(500, stored.error().message);
    bridge_.preferences_changed(id);
    return json_response(200, preferences_json(id, *p));
  }
  if (parts.size() == 4 && parts[1] == "owners" && parts[3] == "earnings") {
    if (!get) return error(405, "GET only");
    std::string id(parts[2]);
    if (owner && *owner != id) return error(404, "no such owner");  // another owner's data is not there for you
    return earnings(id);
  }
  if (parts.size() == 3 && parts[1] == "fleet" && parts[2] == "flexibility") {
    if (!get) return error(405, "GET only");
    if (!operator_) return operator_only();
    auto flex = bridge_.flexibility(ocpp::utc_now());
    json steps = json::array();
    for (int t = 0; t < flex.grid.steps; ++t) {
      double up = flex.envelope.up_kw[static_cast<std::size_t>(t)];
      if (flex.site_limit_kw > 0) up = std::min(up, flex.site_limit_kw);
      steps.push_back({{"start", format_utc(flex.grid.time_of(t))}, {"up_kw", up},
                       {"down_kw", flex.envelope.down_kw[static_cast<std::size_t>(t)]},
                       {"energy_lo_kwh", flex.envelope.energy_lo_kwh[static_cast<std::size_t>(t)]},
                       {"energy_hi_kwh", flex.envelope.energy_hi_kwh[static_cast<std::size_t>(t)]}});
    }
    return json_response(200, {{"start", format_utc(flex.grid.start)}, {"step_s", flex.grid.step.count()},
                               {"vehicles", flex.vehicles}, {"site_limit_kw", flex.site_limit_kw}, {"steps", steps}});
  }
  if (parts.size() == 2 && parts[1] == "plan") {
    if (!get) return error(405, "GET only");
    if (!operator_) return operator_only();
    json sessions = json::array();
    for (const auto& s : bridge_.sessions()) {
      auto pushed = bridge_.pushed(s.station_id, s.transaction_id);
      sessions.push_back({{"station_id", s.station_id}, {"transaction_id", s.transaction_id},
                          {"departure", format_utc(s.departure)}, {"energy_needed_kwh", s.energy_needed_kwh},
                          {"delivered_kwh", s.delivered_wh / 1000.0}, {"max_power_kw", s.max_power_kw},
                          {"max_discharge_kw", s.max_discharge_kw},
                          {"schedule", pushed ? schedule_json(*pushed) : json(nullptr)}});
    }
    auto stats = bridge_.stats();
    return json_response(200, {{"sessions", sessions}, {"plans", stats.plans}, {"last_plan_ms", stats.last_plan_ms}});
  }
  if (parts.size() == 2 && parts[1] == "prices") {
    if (get) {
      auto prices = bridge_.prices();
      if (!prices) return error(404, "no prices loaded (the cars charge as early as possible)");
      return json_response(200, {{"start", format_utc(prices->start)}, {"step_s", prices->step.count()},
                                 {"eur_per_kwh", prices->values}});
    }
    if (!post) return error(405, "GET or POST");
    if (!operator_) return operator_only();
    auto prices = prices_from_json(request.body);
    if (!prices) return error(400, prices.error().message);
    std::size_t n = prices->values.size();
    bridge_.set_prices(std::move(prices).value());
    return json_response(200, {{"accepted", n}});
  }
  return error(404, "no such resource");
}

}  // namespace voltpool::server
