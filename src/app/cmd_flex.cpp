// voltpool flex: the fleet's envelope (most power in and out, energy bounds) per step; voltpool disaggregate:
// split a fleet power profile onto the cars, or say where it cannot be followed and what can.
#include <fmt/format.h>

#include <algorithm>

#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "app/commands.hpp"
#include "app/real_fleet_cli.hpp"
#include "data/fleet_day_files.hpp"
#include "data/parse.hpp"
#include "flex/endurance.hpp"
#include "flex/envelope.hpp"
#include "flex/follow.hpp"
#include "plan/fleet_day_problem.hpp"
#include "sim/optimal_strategy.hpp"

namespace voltpool::app {

namespace {

struct FleetArgs {
  std::string evs;
  bool g2v = false;  // treat the cars as charge-only
  double site_limit_kw = 0;
  bool lenient = false;
};

void add_fleet_options(CLI::App* cmd, FleetArgs& f) {
  cmd->add_option("--evs", f.evs, "fleet CSV in the vpp-fleet-day-v1 format (flex: or real sessions)")->required();
  cmd->add_flag("--g2v", f.g2v, "charge-only: no car discharges");
  cmd->add_option("--site-limit-kw", f.site_limit_kw, "site limit (default 4 kW per EV)")
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--lenient", f.lenient, "skip and count malformed rows instead of failing on the first");
}

Result<std::pair<std::vector<BenchEv>, PlanningProblem>> load_fleet(const FleetArgs& f) {
  LoadStats stats;
  auto evs = load_fleet_day_evs(f.evs, LoadOptions{f.lenient}, stats);
  if (!evs.ok()) return evs.error();
  double limit = f.site_limit_kw > 0 ? f.site_limit_kw : kFleetDaySiteKwPerEv * static_cast<double>(evs->size());
  PlanningProblem p = fleet_day_problem(*evs, fleet_day_prices_eur_per_kwh(), limit, !f.g2v, kFleetDayWearEurPerKwh);
  return std::make_pair(std::move(*evs), std::move(p));
}

struct FlexArgs {
  FleetArgs fleet;
  int from = 0;
  double hours = 24;
  double hold_minutes = 0;
  // With a real session file in --evs: the prices, the day and the cars (re-dated as simulate does).
  std::string prices;
  std::string zone = "DE-LU";
  std::string date;
  std::string vehicle = "polestar-3";
  bool know_departures = false;
  std::string out;
};

bool is_fleet_day_file(const std::string& path) {
  auto f = CsvFile::open(path);
  return f.ok() && f->column("kind") && f->column("e_target_kwh");
}

// The day's fleet from real sessions: every car that arrives that day, planned from its arrival, with its
// owner's estimated departure (or the real one with --know-departures).
Result<PlanningProblem> real_sessions_problem(const FlexArgs& a) {
  if (a.prices.empty() || a.date.empty()) return Error{"real sessions in --evs need --prices and --date"};
  RealFleetArgs r;
  r.sessions = {a.fleet.evs};
  r.prices = a.prices;
  r.zone = a.zone;
  r.from = a.date;
  r.days = 1;
  r.vehicle = a.vehicle;
  r.site_limit_kw = a.fleet.site_limit_kw;
  r.know_departures = a.know_departures;
  r.lenient = a.fleet.lenient;
  auto loaded = load_real_fleet(r, a.fleet.g2v ? 0.0 : 1.0);
  if (!loaded.ok()) return loaded.error();
  SimulationInput input = loaded->fleet.input;
  for (auto& s : input.sessions) s.departure = std::max(s.arrival + Seconds{60}, s.needs.est_departure);
  return perfect_foresight_problem(input, !a.fleet.g2v, 0.0);
}

int run_flex(const FlexArgs& a) {
  Result<PlanningProblem> problem = Error{""};
  if (is_fleet_day_file(a.fleet.evs)) {
    auto fleet = load_fleet(a.fleet);
    if (!fleet.ok()) {
      std::cerr << "voltpool flex: " << fleet.error().message << "\n";
      return kExitBadInput;
    }
    problem = std::move(fleet->second);
  } else {
    problem = real_sessions_problem(a);
    if (!problem.ok()) {
      std::cerr << "voltpool flex: " << problem.error().message << "\n";
      return kExitBadInput;
    }
  }
  const PlanningProblem& p = *problem;
  if (a.from >= p.steps) {
    std::cerr << "voltpool flex: --from " << a.from << " is beyond the fleet's " << p.steps << " steps\n";
    return kExitBadInput;
  }
  FleetEnvelope env = fleet_envelope(p);
  int end = std::min(p.steps, a.from + static_cast<int>(std::lround(a.hours / p.dt_h)));
  nlohmann::ordered_json j;
  j["vehicles"] = p.vehicles.size();
  j["step_minutes"] = p.dt_h * 60;
  j["site_limit_kw"] = p.import_limit_kw[0];
  j["steps"] = nlohmann::json::array();
  for (int t = a.from; t < end; ++t) {
    // The site's own limit caps what the cars could do together.
    double up = std::min(env.up_kw[t], p.import_limit_kw[t]);
    double down = std::max(env.down_kw[t], -p.export_limit_kw[t]);
    j["steps"].push_back({{"step", t},
                          {"up_kw", up},
                          {"down_kw", down},
                          {"energy_lo_kwh", env.energy_lo_kwh[t]},
                          {"energy_hi_kwh", env.energy_hi_kwh[t]}});
  }
  if (a.hold_minutes > 0) {
    // Endurance from --from: the largest constant power absorbed / delivered for that long.
    int steps = std::min(std::max(1, static_cast<int>(std::lround(a.hold_minutes / (p.dt_h * 60)))), p.steps - a.from);
    nlohmann::ordered_json hold;
    hold["from_step"] = a.from;
    hold["minutes"] = steps * p.dt_h * 60;
    for (int direction : {+1, -1}) {
      const char* key = direction > 0 ? "up_kw" : "down_kw";
      auto held = max_hold(p, HoldQuery{a.from, steps, direction, 0});
      if (held.ok()) {
        hold[key] = held->hold_kw;
      } else {
        hold[key] = nullptr;
        hold[std::string(key) + "_reason"] = held.error().message;
      }
    }
    j["hold"] = hold;
  }
  std::ofstream out(a.out);
  out << j.dump(1) << "\n";
  out.close();
  if (!out) {
    std::cerr << "voltpool flex: " << a.out << ": cannot write file\n";
    return kExitFailure;
  }
  return kExitOk;
}

struct DisaggregateArgs {
  FleetArgs fleet;
  std::string profile;
  std::string out;
};

Result<std::vector<double>> load_profile(const std::string& path, int steps) {
  auto file = CsvFile::open(path);
  if (!file.ok()) return file.error();
  CsvFile& csv = *file;
  auto cols = csv.require_columns({"step", "kw"});
  if (!cols.ok()) return cols.error();
  const size_t step_col = (*cols)[0];
  const size_t kw_col = (*cols)[1];
  std::vector<double> kw(static_cast<size_t>(steps), 0.0);
  std::vector<bool> seen(static_cast<size_t>(steps), false);
  while (csv.next()) {
    auto step = parse_number(csv.field(step_col));
    if (!step || *step != std::floor(*step) || *step < 0 || *step >= steps) {
      return csv.bad_field(step_col, "a step from 0 to " + std::to_string(steps - 1));
    }
    auto t = static_cast<size_t>(*step);
    if (seen[t]) return csv.error("step", "step " + csv.field(step_col) + " given twice");
    auto v = parse_number(csv.field(kw_col));
    if (!v) return csv.bad_field(kw_col, "a power in kW");
    kw[t] = *v;
    seen[t] = true;
  }
  if (auto e = csv.read_error()) return *e;
  return kw;
}

int run_disaggregate(const DisaggregateArgs& a) {
  auto fleet = load_fleet(a.fleet);
  if (!fleet.ok()) {
    std::cerr << "voltpool disaggregate: " << fleet.error().message << "\n";
    return kExitBadInput;
  }
  const auto& [evs, p] = *fleet;
  auto profile = load_profile(a.profile, p.steps);
  if (!profile.ok()) {
    std::cerr << "voltpool disaggregate: " << profile.error().message << "\n";
    return kExitBadInput;
  }
  for (int t = 0; t < p.steps; ++t) {
    // A profile summed from the cars' own powers may sit a rounding error above a limit it meets: within 1e-9
    // of the limit it is taken as the limit.
    double& kw = (*profile)[t];
    const double imp = p.import_limit_kw[t], exp = p.export_limit_kw[t];
    if (kw > imp && kw <= imp + 1e-9 * std::max(1.0, imp)) kw = imp;
    if (-kw > exp && -kw <= exp + 1e-9 * std::max(1.0, exp)) kw = -exp;
    if (kw > imp || -kw > exp) {
      std::cerr << fmt::format("voltpool disaggregate: the profile asks {:.3f} kW at step {}, beyond the site limit of "
                               "{:.3f} kW\n", (*profile)[t], t, (*profile)[t] > 0 ? p.import_limit_kw[t] : -p.export_limit_kw[t]);
      return 3;
    }
  }
  auto r = follow_profile(p, *profile);
  if (!r.ok()) {
    std::cerr << "voltpool disaggregate: " << r.error().message << "\n";
    return kExitFailure;
  }
  if (!r->accepted) {
    int t = *r->first_infeasible_step;
    std::string nearest_path = a.out + ".nearest.csv";
    std::ofstream near(nearest_path);
    near << "step,kw\n";
    for (int s = 0; s < p.steps; ++s) near << s << ',' << fmt::format("{:.12g}", r->nearest_kw[s]) << '\n';
    std::cerr << fmt::format(
        "voltpool disaggregate: the fleet cannot follow the profile: first at step {} ({:.3f} kW asked, {:.3f} kW "
        "is the nearest it can do there without breaking an owner's needs); the nearest feasible profile is in {}\n",
        t, (*profile)[t], r->nearest_kw[t], nearest_path);
    return 3;
  }
  std::ofstream out(a.out);
  out << "id,step,kw\n";
  for (size_t i = 0; i < evs.size(); ++i) {
    auto row = r->plan.of(i);
    for (size_t k = 0; k < row.size(); ++k) {
      if (std::abs(row[k]) > 1e-12) out << evs[i].id << ',' << p.vehicles.first_step[i] + static_cast<int>(k) << ','
                                        << fmt::format("{:.12g}", row[k]) << '\n';
    }
  }
  out.close();
  if (!out) {
    std::cerr << "voltpool disaggregate: " << a.out << ": cannot write file\n";
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace

Command add_flex(CLI::App& app) {
  auto args = std::make_shared<FlexArgs>();
  CLI::App* cmd = app.add_subcommand("flex", "the fleet's flexibility: power envelope and energy bounds per step");
  add_fleet_options(cmd, args->fleet);
  cmd->add_option("--from", args->from, "first step (real sessions: quarter hours from the day's local midnight)")
      ->capture_default_str()->check(CLI::NonNegativeNumber);
  cmd->add_option("--prices", args->prices, "real sessions in --evs: SMARD price export");
  cmd->add_option("--zone", args->zone, "real sessions: price zone")->capture_default_str();
  cmd->add_option("--date", args->date, "real sessions: the day (YYYY-MM-DD, re-dated as in simulate)");
  cmd->add_option("--vehicle", args->vehicle, "real sessions: vehicle preset")->capture_default_str();
  cmd->add_flag("--know-departures", args->know_departures, "real sessions: actual departures, not the owners' estimates");
  cmd->add_option("--hours", args->hours, "hours ahead")->capture_default_str()->check(CLI::Range(0.25, 24.0));
  cmd->add_option("--hold-minutes", args->hold_minutes,
                  "also the largest power held this long from --from, absorbed and delivered (exact LP)")
      ->check(CLI::Range(0.0, 1440.0));
  cmd->add_option("--out", args->out, "JSON file to write")->required();
  return [args] { return run_flex(*args); };
}

Command add_disaggregate(CLI::App& app) {
  auto args = std::make_shared<DisaggregateArgs>();
  CLI::App* cmd = app.add_subcommand("disaggregate", "split a fleet power profile onto the cars (exit 3 if it cannot)");
  add_fleet_options(cmd, args->fleet);
  cmd->add_option("--profile", args->profile, "CSV step,kw (steps not listed are 0)")->required();
  cmd->add_option("--out", args->out, "per-vehicle CSV id,step,kw to write")->required();
  return [args] { return run_disaggregate(*args); };
}

}  // namespace voltpool::app
