#include "battery/vehicle.hpp"

namespace voltpool {

std::string_view to_string(Chemistry c) {
  switch (c) {
    case Chemistry::kNmc: return "NMC";
    case Chemistry::kLfp: return "LFP";
    case Chemistry::kNca: return "NCA";
    case Chemistry::kUnknown: return "unknown";
  }
  return "unknown";
}

const std::vector<VehicleSpec>& builtin_presets() {
  // Efficiencies: sqrt of the 87 % V2G round trip measured by Schram et al. 2020 (models.md §5).
  // Polestar 3 is V2G-ready hardware; its discharge power is taken as its 11 kW AC rating.
  static const std::vector<VehicleSpec> presets = {
      {"polestar-2", "Polestar 2 (Long Range)", 75, 11, 155, 0, 0.93, 0.93, Chemistry::kNmc},
      {"polestar-3", "Polestar 3", 107, 11, 250, 11, 0.93, 0.93, Chemistry::kNmc},
      {"polestar-4", "Polestar 4", 94, 22, 200, 0, 0.93, 0.93, Chemistry::kNmc},
      {"nissan-leaf-40", "Nissan Leaf 40 kWh", 39, 6.6, 46, 6.6, 0.93, 0.93, Chemistry::kNmc},
      {"generic-60-v2g", "Generic 60 kWh bidirectional", 60, 11, 100, 11, 0.93, 0.93, Chemistry::kNmc},
      {"generic-lfp-60", "Generic 60 kWh LFP", 60, 11, 100, 11, 0.93, 0.93, Chemistry::kLfp},
  };
  return presets;
}

std::optional<VehicleSpec> find_preset(std::string_view id) {
  for (const auto& p : builtin_presets()) {
    if (p.id == id) return p;
  }
  return std::nullopt;
}

std::string preset_ids() {
  std::string out;
  for (const auto& p : builtin_presets()) {
    if (!out.empty()) out += ", ";
    out += p.id;
  }
  return out;
}

}  // namespace voltpool
