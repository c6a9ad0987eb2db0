// What `voltpool simulate` writes into its output folder: summary.json (the documented fields), vehicles.csv
// (one row per plug-in session) and report.html (one self-contained page, readable offline, with plots).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "core/timezone.hpp"
#include "sim/summary.hpp"
#include "sim/vehicle_health.hpp"
#include "sim/wear_form_check.hpp"

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


// Battery wear: each vehicle's state of health over the run from the full cell model, for the run and for
// uncontrolled charging of the same sessions (report/wear_section.hpp writes it).
struct WearSection {
  std::string model;
  int years = 10;                            // the long view of the run's duty
  double capacity_value_eur_per_kwh = 100;
  std::vector<VehicleHealth> run;            // per vehicle
  std::vector<OwnerOutcome> owners;          // per vehicle, against uncontrolled (empty without a baseline)
  double saved_eur = 0;                      // the fleet's energy cost saved against uncontrolled
  WearFormCheck form;                        // the planner's convex form against the model, on this run
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

// Writes the files into `dir` (created if missing; owners.csv only with a wear section and a baseline). The
// error names the file that failed.
Result<std::string> write_simulation_report(const std::string& dir, const SimulationReport& report);

}  // namespace voltpool
