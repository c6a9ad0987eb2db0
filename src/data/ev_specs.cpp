#include "data/ev_specs.hpp"

#include <cctype>
#include <fstream>
#include <nlohmann/json.hpp>

namespace voltpool {

namespace {
std::string slug(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}
}  // namespace

Result<std::vector<VehicleSpec>> load_open_ev_data(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error{path + ": cannot open file"};
  nlohmann::json doc = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Error{path + ": not valid JSON"};
  if (!doc.contains("data") || !doc["data"].is_array()) return Error{path + ": missing array 'data'"};
  std::vector<VehicleSpec> out;
  size_t index = 0;
  for (const auto& v : doc["data"]) {
    std::string where = path + ": data[" + std::to_string(index++) + "]";
    auto number = [&](const nlohmann::json& obj, const char* key) -> std::optional<double> {
      if (!obj.is_object() || !obj.contains(key) || !obj[key].is_number()) return std::nullopt;
      return obj[key].get<double>();
    };
    auto text = [&](const char* key) {
      return v.contains(key) && v[key].is_string() ? v[key].get<std::string>() : std::string();
    };
    auto capacity = number(v, "usable_battery_size");
    if (!capacity || *capacity <= 0) return Error{where + ": field 'usable_battery_size': expected a positive kWh"};
    auto ac = v.contains("ac_charger") ? number(v["ac_charger"], "max_power") : std::nullopt;
    if (!ac || *ac <= 0) return Error{where + ": field 'ac_charger.max_power': expected a positive kW"};
    std::optional<double> dc;
    if (v.contains("dc_charger") && v["dc_charger"].is_object()) dc = number(v["dc_charger"], "max_power");
    VehicleSpec s;
    std::string year = v.contains("release_year") && v["release_year"].is_number_integer()
                           ? std::to_string(v["release_year"].get<int>())
                           : std::string();
    s.name = text("brand") + " " + text("model") + (text("variant").empty() ? "" : " " + text("variant"));
    s.id = slug(s.name + " " + year);
    s.usable_capacity_kwh = *capacity;
    s.ac_charge_max_kw = *ac;
    s.dc_charge_max_kw = dc.value_or(0);
    s.discharge_max_kw = 0;
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace voltpool
