// Vehicle specifications from open-ev-data (SOURCES.md §3): 293 models with usable battery, AC and DC
// charging power. The data set says nothing of bidirectional charging, so these load as charge-only.
#pragma once

#include <string>
#include <vector>

#include "battery/vehicle.hpp"
#include "core/result.hpp"

namespace voltpool {

// Ids are "brand-model[-variant]-year" in lower case with '-' for spaces, e.g. "tesla-model-3-long-range-2021".
Result<std::vector<VehicleSpec>> load_open_ev_data(const std::string& path);

}  // namespace voltpool
