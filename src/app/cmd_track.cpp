// voltpool track: a vpp-fleet-day-v1 fleet follows its optimal plan and, from a step on, a regulation signal
// (RegD-style, or FCR droop on a frequency series); writes response.csv and score.json.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "app/commands.hpp"
#include "data/fleet_day_files.hpp"
#include "data/parse.hpp"
#include "dispatch/regd_signal.hpp"
#include "dispatch/tracking.hpp"
#include "plan/fast_solver.hpp"
#include "plan/fleet_day_problem.hpp"

namespace voltpool::app {

namespace {

struct TrackArgs {
  std::string evs;
  std::string signal;
  uint64_t signal_seed = 1;
  double signal_s = 3900;  // an hour scored, five minutes more for the delay search
  int start_step = 40;
  double capacity_kw = 0;
  double dropout_pct = 0;
  uint64_t seed = 1;
  bool g2v = false;
  std::string out;
};

// FCR droop (models.md §3.2): full activation at ±200 mHz, ±10 mHz deadband; low frequency asks the fleet to
// draw less (negative), high frequency to draw more.
double droop(double frequency_hz) {
  double df = frequency_hz - 50.0;
  if (std::abs(df) <= 0.010) return 0.0;
  return std::clamp(df / 0.200, -1.0, 1.0);
}

// A CSV t_s,signal (in [-1, 1]) or t_s,frequency_hz, held from each row to the next, sampled every 2 s.
Result<std::vector<double>> load_signal(const std::string& path) {
  auto file = CsvFile::open(path);
  if (!file.ok()) return file.error();
  CsvFile& csv = *file;
  auto t_col = csv.require_column("t_s");
  if (!t_col.ok()) return t_col.error();
  auto s_col = csv.column("signal");
  auto f_col = csv.column("frequency_hz");
  if (!s_col && !f_col) return Error{path + ":1: expected a column 'signal' or 'frequency_hz'"};
  std::vector<std::pair<double, double>> rows;
  while (csv.next()) {
    auto t = parse_number(csv.field(*t_col));
    if (!t || *t < 0 || (!rows.empty() && *t <= rows.back().first)) return csv.bad_field(*t_col, "seconds after the previous row's");
    size_t c = s_col ? *s_col : *f_col;
    auto x = parse_number(csv.field(c));
    if (!x) return csv.bad_field(c, s_col ? "a signal in [-1, 1]" : "a frequency in Hz");
    if (s_col && std::abs(*x) > 1) return csv.bad_field(c, "a signal in [-1, 1]");
    if (f_col && (*x < 45 || *x > 55)) return csv.bad_field(c, "a frequency in Hz (45 to 55)");
    rows.emplace_back(*t, s_col ? *x : droop(*x));
  }
  if (auto e = csv.read_error()) return *e;
  if (rows.empty()) return Error{path + ": no signal rows"};
  std::vector<double> out;
  size_t r = 0;
  for (double t = rows.front().first; t <= rows.back().first; t += kRegulationCycleS) {
    while (r + 1 < rows.size() && rows[r + 1].first <= t) ++r;
    out.push_back(rows[r].second);
  }
  return out;
}

double percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(std::min<double>(v.size() - 1, std::floor(q * static_cast<double>(v.size()))))];
}

int run_track(const TrackArgs& a) {
  LoadStats stats;
  auto evs = load_fleet_day_evs(a.evs, {}, stats);
  if (!evs.ok()) {
    std::cerr << "voltpool track: " << evs.error().message << "\n";
    return kExitBadInput;
  }
  double limit = kFleetDaySiteKwPerEv * static_cast<double>(evs->size());
  PlanningProblem p = fleet_day_problem(*evs, fleet_day_prices_eur_per_kwh(), limit, !a.g2v, kFleetDayWearEurPerKwh);
  if (a.start_step < 0 || a.start_step >= p.steps) {
    std::cerr << "voltpool track: --start-step must be within 0.." << p.steps - 1 << "\n";
    return kExitBadInput;
  }
  auto signal = a.signal.empty() ? Result<std::vector<double>>(regd_like_signal(a.signal_seed, a.signal_s))
                                 : load_signal(a.signal);
  if (!signal.ok()) {
    std::cerr << "voltpool track: " << signal.error().message << "\n";
    return kExitBadInput;
  }
  auto plan = solve_fast(p);
  if (!plan.ok()) {
    std::cerr << "voltpool track: " << plan.error().message << "\n";
    return kExitFailure;
  }
  TrackingScenario sc;
  sc.problem = &p;
  sc.plan = &*plan;
  sc.start_step = a.start_step;
  double horizon_s = (p.steps - a.start_step) * p.dt_h * 3600;
  sc.signal = std::move(*signal);
  if (static_cast<double>(sc.signal.size()) * kRegulationCycleS > horizon_s) {
    sc.signal.resize(static_cast<size_t>(horizon_s / kRegulationCycleS));
  }
  if (sc.signal.size() * kRegulationCycleS < 20) {
    std::cerr << "voltpool track: the signal covers less than 20 s (two 10-s score samples)\n";
    return kExitBadInput;
  }
  sc.capacity_kw = a.capacity_kw;
  sc.dropout_fraction = a.dropout_pct / 100;
  sc.seed = a.seed;
  TrackingResult r = track_signal(sc);

  std::error_code ec;
  std::filesystem::create_directories(a.out, ec);
  std::ofstream resp(a.out + "/response.csv");
  resp << "t_s,signal_kw,response_kw\n";
  for (size_t k = 0; k < r.t_s.size(); ++k) {
    resp << fmt::format("{:.0f},{:.6f},{:.6f}\n", r.t_s[k] - r.t_s.front(), r.signal_kw[k], r.response_kw[k]);
  }
  nlohmann::ordered_json j;
  j["accuracy"] = r.score.accuracy;
  j["delay"] = r.score.delay;
  j["precision"] = r.score.precision;
  j["composite"] = r.score.composite;
  j["delay_s"] = r.score.delay_s;
  j["cars_missed_target"] = r.cars_missed_target;
  j["shortfall_kwh"] = r.shortfall_kwh;
  j["cars_silent"] = r.cars_silent;
  j["cars_left_early"] = r.cars_left_early;
  j["cycles"] = r.t_s.size();
  j["fcr"] = {{"activation_time_s_max", r.activation_time_s_max},
              {"activations", r.activations},
              {"activations_missed", r.activations_missed},
              {"reservoir_up_kwh", r.reservoir_up_kwh},
              {"reservoir_down_kwh", r.reservoir_down_kwh},
              {"full_activation_minutes", r.full_activation_minutes}};
  j["cycle_us_p50"] = percentile(r.cycle_us, 0.5);
  j["cycle_us_p99"] = percentile(r.cycle_us, 0.99);
  j["cycle_us_max"] = percentile(r.cycle_us, 1.0);
  std::ofstream score(a.out + "/score.json");
  score << j.dump(2) << "\n";
  resp.close();
  score.close();
  if (!resp || !score) {
    std::cerr << "voltpool track: " << a.out << ": cannot write the results\n";
    return kExitFailure;
  }
  std::cout << j.dump() << "\n";
  return kExitOk;
}

}  // namespace

Command add_track(CLI::App& app) {
  auto args = std::make_shared<TrackArgs>();
  CLI::App* cmd = app.add_subcommand("track", "follow a regulation signal with a planned fleet and score it the PJM way");
  cmd->add_option("--evs", args->evs, "fleet CSV in the vpp-fleet-day-v1 format")->required();
  cmd->add_option("--signal", args->signal, "CSV t_s,signal (RegD-style, in [-1, 1]) or t_s,frequency_hz (FCR droop); "
                                            "without it a RegD-like signal is generated");
  cmd->add_option("--signal-seed", args->signal_seed, "seed of the generated signal")->capture_default_str();
  cmd->add_option("--signal-seconds", args->signal_s, "length of the generated signal")->capture_default_str()
      ->check(CLI::Range(20.0, 86400.0));
  cmd->add_option("--start-step", args->start_step, "step the signal starts at")->capture_default_str();
  cmd->add_option("--capacity-kw", args->capacity_kw, "committed regulation capacity")->required()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--dropout-pct", args->dropout_pct, "cars that fall silent or leave early during the signal, %")
      ->capture_default_str()->check(CLI::Range(0.0, 100.0));
  cmd->add_option("--seed", args->seed, "seed of the dropouts and compliance")->capture_default_str();
  cmd->add_flag("--g2v", args->g2v, "charge-only: no car discharges");
  cmd->add_option("--out", args->out, "output folder")->required();
  return [args] { return run_track(*args); };
}

}  // namespace voltpool::app
