#include "ocpp/csms/meter_reading.hpp"

#include <cmath>

namespace voltpool::ocpp {

void add_reading(MeterSample& sample, std::optional<std::string_view> measurand, double value,
                 std::optional<std::string_view> unit, int multiplier, bool per_phase) {
  if (per_phase || !std::isfinite(value)) return;
  double scaled = value * std::pow(10.0, multiplier);
  std::string_view u = unit.value_or("");
  if (u == "kWh" || u == "kW") scaled *= 1000.0;
  std::string_view m = measurand.value_or("Energy.Active.Import.Register");
  if (m == "Energy.Active.Import.Register") {
    sample.energy_import_wh = scaled;
  } else if (m == "Energy.Active.Export.Register") {
    sample.energy_export_wh = scaled;
  } else if (m == "Power.Active.Import") {
    sample.power_w = sample.power_w.value_or(0.0) + scaled;
  } else if (m == "Power.Active.Export") {
    sample.power_w = sample.power_w.value_or(0.0) - scaled;
  } else if (m == "SoC") {
    sample.soc_pct = scaled;
  }
}

}  // namespace voltpool::ocpp
