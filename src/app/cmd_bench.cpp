// voltpool bench: the planning benchmark on vpp-fleet-day-v1 fleets of growing size (generated with the
// scenario's generator): wall time, peak memory per vehicle-step and the gap to the exact LP where it solves.
#include <fmt/format.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sys/wait.h>
#include <unistd.h>

#include "app/commands.hpp"
#include "plan/exact_solver.hpp"
#include "plan/fast_solver.hpp"
#include "plan/fleet_day_problem.hpp"

namespace voltpool::app {

namespace {

struct BenchArgs {
  std::vector<int64_t> sizes = {1000, 10000, 100000, 1000000};
  uint64_t seed = 42;
  int64_t exact_max_n = 10000;
  int64_t exact_max_n_v2g = 1000;
  int64_t fast_max_n_v2g = 100000;
  double fast_gap = FastSolverOptions{}.relative_gap;
};

// Peak resident memory of this process, in bytes (Linux /proc).
size_t peak_memory_bytes() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return static_cast<size_t>(std::stoull(line.substr(6))) * 1024;
  }
  return 0;
}

struct Measured {
  double wall_s = 0;
  double bytes_per_vehicle_step = 0;  // the whole process's peak: fleet, problem, planner and plan
  double cost_eur = 0;   // energy only (what the benchmark reports)
  double money_eur = 0;  // energy + wear: what the planners minimise
  double gap = 0;
  int iterations = 0;
  bool ok = false;
};

// Generates the fleet, builds the problem and plans it in a child process, so that each measurement's peak
// memory is its own.
std::optional<Measured> measure(int64_t n, uint64_t seed, bool v2g, bool exact, double fast_gap) {
  int fds[2];
  if (pipe(fds) != 0) return std::nullopt;
  pid_t child = fork();
  if (child == 0) {
    close(fds[0]);
    auto evs = generate_fleet_day(n, seed);
    PlanningProblem p = fleet_day_problem(evs, fleet_day_prices_eur_per_kwh(),
                                          kFleetDaySiteKwPerEv * static_cast<double>(n), v2g, kFleetDayWearEurPerKwh);
    auto t0 = std::chrono::steady_clock::now();
    FastSolverOptions fast_options;
    fast_options.relative_gap = fast_gap;
    auto plan = exact ? solve_exact(p) : solve_fast(p, fast_options);
    Measured m;
    m.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    m.bytes_per_vehicle_step = static_cast<double>(peak_memory_bytes()) / (static_cast<double>(n) * p.steps);
    if (plan.ok()) {
      m.ok = true;
      m.cost_eur = plan->energy_cost_eur;
      m.money_eur = plan->energy_cost_eur + plan->wear_cost_eur;
      m.gap = plan->gap();
      m.iterations = plan->iterations;
    }
    ssize_t written = write(fds[1], &m, sizeof m);
    _exit(written == sizeof m ? 0 : 1);
  }
  close(fds[1]);
  Measured m;
  ssize_t got = read(fds[0], &m, sizeof m);
  close(fds[0]);
  int status = 0;
  waitpid(child, &status, 0);
  if (got != sizeof m || !m.ok) return std::nullopt;
  return m;
}

int run_bench(const BenchArgs& a) {
  std::cout << "| solver | mode | N | wall s | peak bytes / vehicle-step | cost EUR | gap (own bound) | gap to exact LP | passes |\n"
               "|---|---|---|---|---|---|---|---|---|\n";
  for (int64_t n : a.sizes) {
    for (bool v2g : {false, true}) {
      std::optional<Measured> exact;
      if (n <= (v2g ? a.exact_max_n_v2g : a.exact_max_n)) exact = measure(n, a.seed, v2g, true, a.fast_gap);
      std::optional<Measured> fast;
      if (!v2g || n <= a.fast_max_n_v2g) fast = measure(n, a.seed, v2g, false, a.fast_gap);
      auto row = [&](const char* solver, const Measured& m, std::string vs_exact) {
        std::cout << fmt::format("| {} | {} | {} | {:.3f} | {:.1f} | {:.2f} | {:.1e} | {} | {} |\n", solver,
                                 v2g ? "V2G" : "G2V", n, m.wall_s, m.bytes_per_vehicle_step, m.cost_eur, m.gap,
                                 vs_exact, m.iterations);
      };
      if (!exact && n <= (v2g ? a.exact_max_n_v2g : a.exact_max_n)) std::cout << fmt::format("| exact (CLP) | {} | {} | failed | | | | | |\n", v2g ? "V2G" : "G2V", n);
      if (!fast && (!v2g || n <= a.fast_max_n_v2g)) std::cout << fmt::format("| fast | {} | {} | failed | | | | | |\n", v2g ? "V2G" : "G2V", n);
      if (exact) row("exact (CLP)", *exact, "0");
      if (fast) {
        // Compared on what both minimise (energy + wear): V2G optima are degenerate in how they split it.
        std::string vs = exact ? fmt::format("{:.1e}", std::abs(fast->money_eur - exact->money_eur) /
                                                            std::max(1.0, std::abs(exact->money_eur)))
                               : "-";
        row("fast", *fast, vs);
      }
      std::cout.flush();
    }
  }
  return kExitOk;
}

}  // namespace

Command add_bench(CLI::App& app) {
  auto args = std::make_shared<BenchArgs>();
  CLI::App* cmd = app.add_subcommand("bench", "planning benchmark: wall time, memory and optimality gap by fleet size");
  cmd->add_option("--sizes", args->sizes, "fleet sizes")->capture_default_str()->check(CLI::PositiveNumber);
  cmd->add_option("--seed", args->seed, "generator seed")->capture_default_str();
  cmd->add_option("--exact-max-n", args->exact_max_n, "largest charge-only fleet the exact LP is run on")
      ->capture_default_str();
  cmd->add_option("--exact-max-n-v2g", args->exact_max_n_v2g, "largest V2G fleet the exact LP is run on")
      ->capture_default_str();
  cmd->add_option("--gap", args->fast_gap, "relative gap to its own bound at which the fast planner stops")
      ->capture_default_str()->check(CLI::PositiveNumber);
  cmd->add_option("--fast-max-n-v2g", args->fast_max_n_v2g, "largest V2G fleet the fast planner is run on")
      ->capture_default_str();
  return [args] { return run_bench(*args); };
}

}  // namespace voltpool::app
