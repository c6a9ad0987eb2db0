#include "server/needs_record.hpp"

#include <nlohmann/json.hpp>

namespace voltpool::server {

using nlohmann::json;

namespace {

std::int64_t seconds(UtcTime t) { return t.time_since_epoch().count(); }
UtcTime time_of(std::int64_t s) { return UtcTime{std::chrono::seconds(s)}; }

void put(json& j, const char* key, const std::optional<double>& v) {
  if (v) j[key] = *v;
}
void get(const json& j, const char* key, std::optional<double>& v) {
  if (j.contains(key) && j[key].is_number()) v = j[key].get<double>();
}

}  // namespace

std::string needs_key(const std::string& station_id, int evse_id) {
  return "needs/" + station_id + "/" + std::to_string(evse_id);
}

std::string needs_text(const NeedsRecord& r) {
  json j = {{"said_at", seconds(r.said_at)}};
  if (r.needs.departure) j["departure"] = seconds(*r.needs.departure);
  put(j, "energy_kwh", r.needs.energy_kwh);
  put(j, "max_charge_w", r.needs.max_charge_w);
  put(j, "max_discharge_w", r.needs.max_discharge_w);
  put(j, "soc_pct", r.needs.soc_pct);
  put(j, "min_energy_kwh", r.needs.min_energy_kwh);
  put(j, "max_energy_kwh", r.needs.max_energy_kwh);
  return j.dump();
}

std::optional<NeedsRecord> needs_from_text(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("said_at") || !j["said_at"].is_number_integer())
    return std::nullopt;
  NeedsRecord r;
  r.said_at = time_of(j["said_at"].get<std::int64_t>());
  if (j.contains("departure") && j["departure"].is_number_integer())
    r.needs.departure = time_of(j["departure"].get<std::int64_t>());
  get(j, "energy_kwh", r.needs.energy_kwh);
  get(j, "max_charge_w", r.needs.max_charge_w);
  get(j, "max_discharge_w", r.needs.max_discharge_w);
  get(j, "soc_pct", r.needs.soc_pct);
  get(j, "min_energy_kwh", r.needs.min_energy_kwh);
  get(j, "max_energy_kwh", r.needs.max_energy_kwh);
  return r;
}

}  // namespace voltpool::server
