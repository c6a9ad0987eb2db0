// voltpool degrade: capacity fade of a cell model under a daily state-of-charge profile repeated for years.
#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "app/commands.hpp"
#include "battery/degradation.hpp"
#include "data/csv_file.hpp"
#include "data/parse.hpp"

namespace voltpool::app {

namespace {

struct DegradeArgs {
  std::string model;
  std::string soc_profile;
  double temp_c = 25;
  double years = 10;
};

// hour,soc breakpoints of one day: hours rising from 0 to 24, soc within [0, 1].
Result<std::vector<std::pair<double, double>>> load_soc_profile(const std::string& path) {
  auto file = CsvFile::open(path);
  if (!file.ok()) return file.error();
  CsvFile& csv = *file;
  auto cols = csv.require_columns({"hour", "soc"});
  if (!cols.ok()) return cols.error();
  const size_t hour_col = (*cols)[0];
  const size_t soc_col = (*cols)[1];
  std::vector<std::pair<double, double>> points;
  while (csv.next()) {
    auto hour = parse_number(csv.field(hour_col));
    if (!hour || *hour < 0 || *hour > 24 || (!points.empty() && *hour <= points.back().first)) {
      return csv.bad_field(hour_col, "an hour in [0, 24] after the previous row's");
    }
    auto soc = parse_number(csv.field(soc_col));
    if (!soc || *soc < 0 || *soc > 1) return csv.bad_field(soc_col, "a state of charge in [0, 1]");
    points.emplace_back(*hour, *soc);
  }
  if (auto e = csv.read_error()) return *e;
  if (points.size() < 2 || points.front().first != 0 || points.back().first != 24) {
    return Error{path + ": the profile must start at hour 0 and end at hour 24"};
  }
  if (points.front().second != points.back().second) {
    return Error{path + ": the profile repeats daily, so hour 24 must have hour 0's state of charge"};
  }
  return points;
}

int run_degrade(const DegradeArgs& a) {
  auto model = find_cell_model(a.model);
  if (!model) {
    std::cerr << "voltpool degrade: unknown model '" << a.model << "'; known models: " << cell_model_names() << "\n";
    return kExitBadInput;
  }
  auto profile = load_soc_profile(a.soc_profile);
  if (!profile.ok()) {
    std::cerr << "voltpool degrade: " << profile.error().message << "\n";
    return kExitBadInput;
  }
  DutyCycle cycle = daily_cycle(*profile, a.temp_c);
  Stressors s = extract_stressors(cycle);
  FadeRates r = fade_rates(*model, cycle, s);
  const int days = static_cast<int>(std::floor(a.years * 365));
  std::vector<int> report_days = {30, 91, 182, 365};
  for (int y = 2; y * 365 <= days; ++y) report_days.push_back(y * 365);
  nlohmann::ordered_json out;
  out["model"] = cell_model_name(*model);
  out["temp_c"] = a.temp_c;
  out["daily_efc"] = s.delta_efc;
  out["dod"] = s.dod;
  out["crate"] = s.crate;
  out["points"] = nlohmann::json::array();
  AgingState state;
  size_t next = 0;
  for (int d = 1; d <= days && next < report_days.size(); ++d) {
    age(state, r, 1.0, s.delta_efc);
    if (d == report_days[next]) {
      out["points"].push_back({{"day", d}, {"efc", state.efc}, {"q", state.relative_capacity()}});
      ++next;
    }
  }
  std::cout << out.dump() << "\n";
  return kExitOk;
}

}  // namespace

Command add_degrade(CLI::App& app) {
  auto args = std::make_shared<DegradeArgs>();
  CLI::App* cmd = app.add_subcommand("degrade", "cell capacity fade under a daily SoC profile repeated for years");
  cmd->add_option("--model", args->model, "cell model: " + cell_model_names())->required();
  cmd->add_option("--soc-profile", args->soc_profile, "CSV hour,soc: breakpoints of one day from 0 to 24 h")->required();
  cmd->add_option("--temp-c", args->temp_c, "cell temperature, °C")->capture_default_str()->check(CLI::Range(-30.0, 70.0));
  cmd->add_option("--years", args->years, "years to simulate")->capture_default_str()->check(CLI::Range(0.1, 50.0));
  return [args] { return run_degrade(*args); };
}

}  // namespace voltpool::app
