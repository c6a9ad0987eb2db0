// Scottish council charge-point sessions: Dundee City Council and Perth & Kinross Council (SOURCES.md §2b,
// §2c). Dates dd/mm/yyyy and times HH:MM in Europe/London. Rows without an end or without kWh are sessions
// still open when the data was exported: they are counted and left out, not errors. The charge point's power
// comes from its model name ("APT 22kW Dual Outlet" 22 kW AC, "... Rapid ..." 50 kW DC, "Semi-Rapid" 22 kW).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "data/csv_file.hpp"
#include "fleet/session.hpp"

namespace voltpool {

struct ChargePointRating {
  double max_kw = 0;
  bool dc = false;
};
// nullopt for a model name that says nothing of its power.
std::optional<ChargePointRating> rate_charge_point_model(std::string_view model);

Result<SessionSet> load_council_sessions(const std::string& path, const LoadOptions& opts, LoadStats& stats);

}  // namespace voltpool
