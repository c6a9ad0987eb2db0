// What a vehicle's battery and on-board electronics can do: usable capacity, AC/DC charge power,
// discharge power (0 = charge-only), efficiencies and cell chemistry. Built-in presets include the
// Polestar 2/3/4 (../shared/reference/models.md §5); the 293 open-ev-data models load through data/.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace voltpool {

enum class Chemistry { kNmc, kLfp, kNca, kUnknown };

std::string_view to_string(Chemistry c);

struct VehicleSpec {
  std::string id;    // preset or data-set id, e.g. "polestar-3"
  std::string name;  // "Polestar 3"
  double usable_capacity_kwh = 0;
  double ac_charge_max_kw = 0;
  double dc_charge_max_kw = 0;
  double discharge_max_kw = 0;  // bidirectional (V2G) power; 0 for a charge-only car
  double charge_efficiency = 0.93;     // grid -> battery
  double discharge_efficiency = 0.93;  // battery -> grid
  Chemistry chemistry = Chemistry::kNmc;

  bool bidirectional() const { return discharge_max_kw > 0; }
};

// The built-in presets, in a stable order.
const std::vector<VehicleSpec>& builtin_presets();
std::optional<VehicleSpec> find_preset(std::string_view id);
// "polestar-2, polestar-3, ..." for help texts and error messages.
std::string preset_ids();

}  // namespace voltpool
