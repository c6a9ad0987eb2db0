#include "server/http_api.hpp"

#include <charconv>
#include <cstdio>
#include <cmath>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "data/parse.hpp"
#include "ocpp/csms/context.hpp"
#include "server/auth.hpp"
#include "server/api_json.hpp"
#include "server/openapi_document.hpp"

namespace voltpool::server {

using nlohmann::json;

const std::vector<Route>& HttpApi::routes() {
  static const std::vector<Route> all = {
      {"GET", "/healthz"},
      {"GET", "/metrics"},
      {"GET", "/openapi.json"},
      {"GET", "/api/stations"},
      {"PUT", "/api/stations/{id}"},
      {"POST", "/api/stations/{id}/start"},
      {"GET", "/api/sessions"},
      {"GET", "/api/sessions/{id}"},
      {"GET", "/api/sessions/{id}/meter-values"},
      {"POST", "/api/sessions/{id}/stop"},
      {"GET", "/api/owners/{id}/earnings"},
      {"GET", "/api/ledger"},
      {"GET", "/api/dispatch"},
      {"POST", "/api/dispatch"},
      {"DELETE", "/api/dispatch"},
      {"GET", "/api/vehicles"},
      {"GET", "/api/vehicles/{id}"},
      {"PUT", "/api/vehicles/{id}"},
      {"GET", "/api/owners/{id}/preferences"},
      {"PUT", "/api/owners/{id}/preferences"},
      {"GET", "/api/fleet/flexibility"},
      {"GET", "/api/plan"},
      {"GET", "/api/prices"},
      {"POST", "/api/prices"},
      {"GET", "/api/carbon"},
      {"POST", "/api/carbon"},
  };
  return all;
}

std::string_view HttpApi::openapi_json() { return kOpenApiDocument; }

HttpApi::HttpApi(ApiServices services, std::function<std::string()> metrics)
    : store_(services.store),
      bridge_(services.bridge),
      settler_(services.settler),
      signals_(services.signals),
      dispatch_(services.dispatch),
      remote_(services.remote),
      metrics_(std::move(metrics)) {}

// Provisions a station (or replaces its password and power): {"password", "max_power_kw"}.
HttpResponse HttpApi::put_station(const std::string& id, const std::string& body) const {
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return error(400, "body must be a JSON object {password, max_power_kw}");
  for (auto& [key, v] : j.items())
    if (key != "password" && key != "max_power_kw") return error(400, "unknown field '" + key + "'");
  if (!j.contains("password") || !j["password"].is_string()) return error(400, "'password' must be a string");
  double power = 0;
  if (j.contains("max_power_kw")) {
    if (!j["max_power_kw"].is_number()) return error(400, "'max_power_kw' must be a number of kW");
    power = j["max_power_kw"].get<double>();
  }
  std::string password = j["password"].get<std::string>();
  if (auto problem = station_problem(id, password, power)) return error(400, *problem);
  bool existed = store_.station(id).has_value();
  if (auto s = store_.put_station({id, hash_password(password), power, "", ""}); !s) return error(500, s.error().message);
  return json_response(existed ? 200 : 201, {{"id", id}, {"max_power_kw", power}});
}

// Starts charging at a station for an id token (a driver without a card, support on the phone): {"evse_id",
// "id_token"}; the station then authorizes and starts the transaction as usual.
HttpResponse HttpApi::start_charging(const std::string& station_id, const std::string& body) const {
  if (!store_.station(station_id)) return error(404, "no such station");
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return error(400, "body must be a JSON object {evse_id, id_token}");
  for (auto& [key, v] : j.items())
    if (key != "evse_id" && key != "id_token") return error(400, "unknown field '" + key + "'");
  int evse_id = 1;
  if (j.contains("evse_id")) {
    if (!j["evse_id"].is_number_integer() || j["evse_id"].get<std::int64_t>() < 1 || j["evse_id"].get<std::int64_t>() > 100)
      return error(400, "'evse_id' must be an integer in [1, 100]");
    evse_id = j["evse_id"].get<int>();
  }
  if (!j.contains("id_token") || !j["id_token"].is_string() || j["id_token"].get<std::string>().empty() ||
      j["id_token"].get<std::string>().size() > 20)
    return error(400, "'id_token' must be a string of 1 to 20 characters (OCPP 1.6 idTag)");
  std::string token = j["id_token"].get<std::string>();
  if (!remote_ || !remote_->remote_start(station_id, evse_id, token))
    return error(409, fmt::format("station {} is not connected", station_id));
  return json_response(202, {{"sent", true}, {"station_id", station_id}, {"evse_id", evse_id}, {"id_token", token}});
}

HttpResponse HttpApi::handle(const HttpRequest& request) const {
  // Nothing a request carries may take the service down: a failure is this request's 500, logged.
  try {
    if (!valid_utf8(request.target)) return error(400, "the request target is not UTF-8");
    return route(request);
  } catch (const std::exception& e) {
    spdlog::error("REST {}: {}", request.method, e.what());
    return error(500, std::string("internal error: ") + e.what());
  }
}

HttpResponse HttpApi::route(const HttpRequest& request) const {
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
    auto d = dispatch_.state();
    body += fmt::format("# TYPE voltpool_dispatch_active gauge\nvoltpool_dispatch_active {}\n", d.active ? 1 : 0);
    body += fmt::format("# TYPE voltpool_dispatch_setpoint_kw gauge\nvoltpool_dispatch_setpoint_kw {}\n", d.last.setpoint_kw);
    body += fmt::format("# TYPE voltpool_dispatch_assigned_kw gauge\nvoltpool_dispatch_assigned_kw {}\n", d.last.assigned_kw);
    body += fmt::format("# TYPE voltpool_dispatch_error_kw gauge\nvoltpool_dispatch_error_kw {}\n",
                        d.last.setpoint_kw - d.last.assigned_kw);
    body += fmt::format("# TYPE voltpool_dispatch_measured_kw gauge\nvoltpool_dispatch_measured_kw {}\n", d.measured_kw);
    body += fmt::format("# TYPE voltpool_sessions_unsettled gauge\nvoltpool_sessions_unsettled {}\n",
                        settler_.pending().size());
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

  if (parts.size() == 4 && parts[1] == "stations" && parts[3] == "start") {
    if (!post) return error(405, "POST only");
    if (!operator_) return operator_only();
    return start_charging(std::string(parts[2]), request.body);
  }
  if (parts.size() == 3 && parts[1] == "stations") {
    if (request.method != "PUT") return error(405, "PUT only");
    if (!operator_) return operator_only();
    return put_station(std::string(parts[2]), request.body);
  }
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
    return earnings(id, query);
  }
  if (parts.size() == 2 && parts[1] == "ledger") {
    if (!get) return error(405, "GET only");
    if (!operator_) return operator_only();
    return ledger(query);
  }
  if (parts.size() >= 2 && parts[1] == "vehicles") return vehicles(parts, request, owner);
  if (parts.size() == 2 && parts[1] == "dispatch") return dispatch(request, operator_);
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
    auto carbon = bridge_.carbon();
    auto prices = bridge_.prices();
    const UtcTime now = ocpp::utc_now();
    PlannedTotals all;
    for (const auto& s : bridge_.sessions()) {
      auto pushed = bridge_.pushed(s.station_id, s.transaction_id);
      json one = {{"station_id", s.station_id}, {"transaction_id", s.transaction_id},
                  {"departure", format_utc(s.departure)}, {"energy_needed_kwh", s.energy_needed_kwh},
                  {"delivered_kwh", s.delivered_wh / 1000.0}, {"max_power_kw", s.max_power_kw},
                  {"max_discharge_kw", s.max_discharge_kw},
                  {"schedule", pushed ? schedule_json(*pushed) : json(nullptr)}};
      if (pushed) {
        PlannedTotals t = planned_totals(*pushed, now, prices, carbon);
        one["planned_kwh"] = t.energy_kwh;
        one["planned_cost_eur"] = t.cost_eur;
        one["planned_co2_kg"] = carbon ? json(t.co2_kg) : json(nullptr);
        all += t;
      }
      sessions.push_back(one);
    }
    auto stats = bridge_.stats();
    return json_response(200, {{"sessions", sessions}, {"plans", stats.plans}, {"last_plan_ms", stats.last_plan_ms},
                               {"planned_kwh", all.energy_kwh}, {"planned_cost_eur", all.cost_eur},
                               {"planned_co2_kg", carbon ? json(all.co2_kg) : json(nullptr)}});
  }
  if (parts.size() == 2 && (parts[1] == "prices" || parts[1] == "carbon"))
    return signal(parts[1] == "prices" ? SignalKind::prices : SignalKind::carbon, request, operator_);
  return error(404, "no such resource");
}

}  // namespace voltpool::server
