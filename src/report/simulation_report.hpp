// What `voltpool simulate` writes into its output folder: summary.json (the documented fields), vehicles.csv
// (one row per plug-in session) and report.html (one self-contained page, readable offline, with plots).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "core/timezone.hpp"
#include "sim/summary.hpp"

namespace voltpool {

struct RunDescription {
  std::vector<std::pair<std::string, std::string>> inputs;  // shown as given ("zone", "DE-LU"), in order
  TimeZone display_tz;                                      // for time axes
  double wall_s = 0;
  std::vector<std::string> attributions;                    // data-source credits to print
};

struct StrategyRun {
  const SimulationResult* result = nullptr;
  FleetSummary summary;
};

struct PerfectForesight {
  double energy_cost_eur = 0;
  double wear_cost_eur = 0;       // the flat per-kWh discharge wear (without a cell model)
  double battery_wear_eur = 0;    // with a cell model: the planner's convex form of it
  double shortfall_kwh = 0;
};

// Battery wear of the run and of the uncontrolled baseline, with the full cell model (sim/wear_report.hpp).
struct WearSection {
  std::string model;
  double eur = 0, baseline_eur = 0;
  double pct_points_mean = 0, baseline_pct_points_mean = 0;  // capacity lost per session
  double extra_pct_points_total = 0;                          // summed over sessions, run minus baseline
};

struct SimulationReport {
  const SimulationInput* input = nullptr;
  StrategyRun run;
  std::optional<StrategyRun> baseline;  // uncontrolled, for comparison
  std::optional<PerfectForesight> perfect_foresight;  // the hindsight optimum, for optimal strategies
  std::optional<WearSection> wear;
  RunDescription description;
};

// summary.json as a string: the summary fields, plus "baseline" and "savings_eur" when a baseline ran.
std::string summary_json(const SimulationReport& report);
std::string vehicles_csv(const SimulationInput& input, const SimulationResult& result);
std::string report_html(const SimulationReport& report);

// Writes the three files into `dir` (created if missing). The error names the file that failed.
Result<std::string> write_simulation_report(const std::string& dir, const SimulationReport& report);

}  // namespace voltpool
