// The REST API's dispatch, for operators: the state of real-time dispatch (GET), a regulation signal or a
// demand-response event for the fleet to follow (POST), and ending it early (DELETE).
#include <fmt/format.h>

#include "data/parse.hpp"
#include "ocpp/csms/context.hpp"
#include "server/api_json.hpp"
#include "server/http_api.hpp"

namespace voltpool::server {

using nlohmann::json;

namespace {

json signal_json(const DispatchSignal& s) {
  bool regulation = s.kind == DispatchSignal::Kind::regulation;
  json j = {{"kind", regulation ? "regulation" : "demand_response"}, {"start", format_utc(s.start)},
            {"end", format_utc(s.end)}};
  if (regulation) {
    j["capacity_kw"] = s.capacity_kw;
    j["cycles"] = s.signal.size();
  } else {
    j["offset_kw"] = s.offset_kw;
  }
  return j;
}

// {kind: regulation, capacity_kw, signal: [...], start?} or {kind: demand_response, offset_kw, start?, end}.
Result<DispatchSignal> signal_from_json(const std::string& body, UtcTime now) {
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Error{"body must be a JSON object"};
  DispatchSignal s;
  s.start = now;
  auto time_field = [&](const char* key, UtcTime& out) -> Status {
    if (!j.contains(key)) return ok_status();
    auto t = j[key].is_string() ? parse_iso_with_offset(j[key].get<std::string>()) : std::nullopt;
    if (!t) return Error{fmt::format("'{}' must be a date-time like 2024-06-03T17:00:00Z, got {}", key, j[key].dump())};
    out = *t;
    return ok_status();
  };
  if (auto st = time_field("start", s.start); !st) return st.error();
  std::string kind = j.contains("kind") && j["kind"].is_string() ? j["kind"].get<std::string>() : "";
  auto number = [&](const char* key) -> Result<double> {
    if (!j.contains(key) || !j[key].is_number()) return Error{fmt::format("'{}' must be a number", key)};
    return j[key].get<double>();
  };
  for (auto& [key, v] : j.items())
    if (key != "kind" && key != "start" && key != "end" && key != "capacity_kw" && key != "signal" && key != "offset_kw")
      return Error{"unknown field '" + key + "'"};
  if (kind == "regulation") {
    if (j.contains("end")) return Error{"a regulation signal ends with its values: 'end' is for demand response"};
    auto capacity = number("capacity_kw");
    if (!capacity) return capacity.error();
    s.capacity_kw = *capacity;
    if (!j.contains("signal") || !j["signal"].is_array()) return Error{"'signal' must be an array of values in [-1, 1]"};
    for (std::size_t i = 0; i < j["signal"].size(); ++i) {
      if (!j["signal"][i].is_number()) return Error{fmt::format("'signal'[{}] must be a number", i)};
      s.signal.push_back(j["signal"][i].get<double>());
    }
    return s;
  }
  if (kind == "demand_response") {
    s.kind = DispatchSignal::Kind::demand_response;
    auto offset = number("offset_kw");
    if (!offset) return offset.error();
    s.offset_kw = *offset;
    if (!j.contains("end")) return Error{"'end' is required for a demand-response event"};
    if (auto st = time_field("end", s.end); !st) return st.error();
    return s;
  }
  return Error{"'kind' must be \"regulation\" or \"demand_response\""};
}

}  // namespace

HttpResponse HttpApi::dispatch(const HttpRequest& request, bool operator_) const {
  if (!operator_) return error(403, "this resource is for operators");
  if (request.method == "GET") {
    auto d = dispatch_.state();
    return json_response(200, {{"active", d.active}, {"signal", d.signal ? signal_json(*d.signal) : json(nullptr)},
                               {"cycles", d.cycles}, {"cars", d.cars}, {"setpoint_kw", d.last.setpoint_kw},
                               {"assigned_kw", d.last.assigned_kw}, {"lowest_kw", d.last.lowest_kw},
                               {"highest_kw", d.last.highest_kw}, {"baseline_kw", d.baseline_kw},
                               {"measured_kw", d.measured_kw}, {"error_kw_mean_abs", d.error_kw_mean_abs},
                               {"profiles_sent", d.profiles_sent}});
  }
  if (request.method == "POST") {
    const UtcTime now = ocpp::utc_now();
    auto signal = signal_from_json(request.body, now);
    if (!signal) return error(400, signal.error().message);
    if (auto s = dispatch_.check_signal(*signal, now); !s) return error(400, s.error().message);
    json accepted = signal_json(*signal);
    if (auto s = dispatch_.set_signal(std::move(signal).value(), now); !s) return error(500, s.error().message);
    return json_response(202, accepted);
  }
  if (request.method == "DELETE") {
    auto cleared = dispatch_.clear_signal();
    if (!cleared) return error(500, cleared.error().message);
    if (!*cleared) return error(404, "no dispatch signal is active");
    return json_response(200, {{"active", false}});
  }
  return error(405, "GET, POST or DELETE");
}

}  // namespace voltpool::server
