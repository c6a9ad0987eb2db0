// JSON of the REST API's resources, both ways, and the small parsing helpers of its routes. Parsers take a
// request body and return the value or an error naming the field at fault.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.hpp"
#include "core/series.hpp"
#include "ocpp/csms/backend.hpp"
#include "server/http_api.hpp"
#include "store/store.hpp"

namespace voltpool::server {

HttpResponse json_response(int status, const nlohmann::json& body);
bool valid_utf8(std::string_view s);
HttpResponse error(int status, const std::string& message);
nlohmann::json optional_number(const std::optional<double>& x);

// The path's segments ("/api/sessions/7" -> api, sessions, 7) and one query parameter's raw value.
std::vector<std::string_view> segments(std::string_view path);
std::optional<std::string> query_value(std::string_view query, std::string_view key);
// A positive decimal integer, else nothing.
std::optional<std::int64_t> parse_id(std::string_view text);

nlohmann::json session_json(const store::TransactionRecord& t);
nlohmann::json schedule_json(const ocpp::PowerSchedule& s);

// What a pushed schedule will do from `now` to its end: net energy, its cost at the prices and its emissions at
// the carbon signal (a step without a value counts 0).
struct PlannedTotals {
  double energy_kwh = 0, cost_eur = 0, co2_kg = 0;
  PlannedTotals& operator+=(const PlannedTotals& o) {
    energy_kwh += o.energy_kwh;
    cost_eur += o.cost_eur;
    co2_kg += o.co2_kg;
    return *this;
  }
};
PlannedTotals planned_totals(const ocpp::PowerSchedule& s, UtcTime now, const std::optional<TimeSeries>& prices,
                             const std::optional<TimeSeries>& carbon);
// {start, step_s, VALUES_KEY: [...]}: a series whose values are finite and within ±max_abs.
Result<TimeSeries> series_from_json(const std::string& body, const std::string& values_key, double max_abs);
nlohmann::json preferences_json(const std::string& owner_id, const store::OwnerPreferences& p);
Result<store::OwnerPreferences> preferences_from_json(const std::string& body);
nlohmann::json vehicle_json(const store::VehicleRecord& v);
// The PUT body of vehicle `id`; fields left out are zero or empty.
Result<store::VehicleRecord> vehicle_from_json(const std::string& id, const std::string& body);

}  // namespace voltpool::server
