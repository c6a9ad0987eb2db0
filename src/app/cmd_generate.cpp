// voltpool generate: writes a vpp-fleet-day-v1 fleet of any size and seed (and the scenario's price file), the
// same bytes the published files have for seed 42 and N = 100, 1,000, 10,000.
#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <memory>

#include "app/commands.hpp"
#include "fleet/vpp_fleet_day.hpp"

namespace voltpool::app {

namespace {

struct GenerateArgs {
  int64_t n = 1000;
  uint64_t seed = 42;
  std::string evs;
  std::string prices;
};

std::string number(double v) { return fmt::format("{}", v); }  // shortest form that reads back exactly

int run_generate(const GenerateArgs& a) {
  std::ofstream out(a.evs);
  out << "id,kind,arrival,departure,capacity_kwh,e_arrival_kwh,e_target_kwh,e_min_kwh,p_max_kw,p_dis_max_kw\n";
  for (const BenchEv& ev : generate_fleet_day(a.n, a.seed)) {
    out << ev.id << ',' << (ev.overnight ? "overnight" : "midday") << ',' << ev.arrival_step << ','
        << ev.departure_step << ',' << number(ev.capacity_kwh) << ',' << number(ev.e_arrival_kwh) << ','
        << number(ev.e_target_kwh) << ',' << number(ev.e_min_kwh) << ',' << number(ev.p_max_kw) << ','
        << number(ev.p_dis_max_kw) << '\n';
  }
  out.close();
  if (!out) {
    std::cerr << "voltpool generate: " << a.evs << ": cannot write file\n";
    return kExitFailure;
  }
  if (!a.prices.empty()) {
    std::ofstream p(a.prices);
    p << "step,start_local,price_eur_per_kwh\n";
    auto prices = fleet_day_prices_eur_per_kwh();
    for (int t = 0; t < kFleetDaySteps; ++t) {
      int minutes = 12 * 60 + t * 15;
      p << t << ',' << fmt::format("{:02}:{:02}", (minutes / 60) % 24, minutes % 60) << ',' << number(prices[t]) << '\n';
    }
    p.close();
    if (!p) {
      std::cerr << "voltpool generate: " << a.prices << ": cannot write file\n";
      return kExitFailure;
    }
  }
  return kExitOk;
}

}  // namespace

Command add_generate(CLI::App& app) {
  auto args = std::make_shared<GenerateArgs>();
  CLI::App* cmd = app.add_subcommand("generate", "write a vpp-fleet-day-v1 fleet of any size and seed");
  cmd->add_option("--n", args->n, "vehicles")->capture_default_str()->check(CLI::Range(int64_t{1}, int64_t{100000000}));
  cmd->add_option("--seed", args->seed, "generator seed")->capture_default_str();
  cmd->add_option("--evs", args->evs, "fleet CSV to write")->required();
  cmd->add_option("--prices", args->prices, "also write the scenario's price CSV here");
  return [args] { return run_generate(*args); };
}

}  // namespace voltpool::app
