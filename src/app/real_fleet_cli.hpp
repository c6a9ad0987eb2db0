// The command-line options and loading shared by the commands that work on real session data (simulate, flex):
// sessions, prices and zone, optional carbon, the days, the vehicle, the owner defaults, re-dating.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/series.hpp"
#include "data/csv_file.hpp"
#include "sim/real_fleet.hpp"

namespace voltpool::app {

struct RealFleetArgs {
  std::vector<std::string> sessions;
  std::string prices;
  std::string zone = "DE-LU";
  std::string carbon;
  std::string from;
  int days = 7;
  std::string vehicle = "polestar-2";
  std::string ev_specs;
  double site_limit_kw = 0;  // 0: none
  int step_minutes = 15;
  std::string sessions_from;
  double target_soc_pct = 90;
  double min_soc_pct = 20;
  bool know_departures = false;
  bool repeat_sessions = false;
  bool lenient = false;
};

extern const char* const kRedatingHelp;

void add_real_fleet_options(CLI::App* cmd, RealFleetArgs& args);

struct LoadedFleet {
  RealFleet fleet;
  SessionSet sessions;
  VehicleSpec vehicle;
  bool has_carbon = false;
  size_t rows_skipped_malformed = 0;
};

// Loads and re-dates; `v2g_consent_share` of the owners allow discharge. The error names what is wrong.
Result<LoadedFleet> load_real_fleet(const RealFleetArgs& args, double v2g_consent_share);

}  // namespace voltpool::app
