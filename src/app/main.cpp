// voltpool: an open-source virtual power plant for electric-vehicle fleets. See README.md.
#include <iostream>
#include <map>

#include "app/commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"voltpool: a virtual power plant for EV fleets"};
  app.require_subcommand(1);
  // `voltpool serve --config FILE`: a TOML file with a [serve] section whose keys are serve's option names.
  app.set_config("--config", "", "TOML file of options: a [serve] section with serve's option names as keys");
  std::map<CLI::App*, voltpool::app::Command> commands;
  auto add = [&](auto adder, const char* name) {
    auto command = adder(app);
    commands[app.get_subcommand(name)] = command;
  };
  add(voltpool::app::add_simulate, "simulate");
  add(voltpool::app::add_schedule, "schedule");
  add(voltpool::app::add_generate, "generate");
  add(voltpool::app::add_bench, "bench");
  add(voltpool::app::add_degrade, "degrade");
  add(voltpool::app::add_flex, "flex");
  add(voltpool::app::add_disaggregate, "disaggregate");
  add(voltpool::app::add_track, "track");
  add(voltpool::app::add_serve, "serve");
  add(voltpool::app::add_stations, "stations");
  add(voltpool::app::add_chargers, "chargers");
  add(voltpool::app::add_tokens, "tokens");
  add(voltpool::app::add_owners, "owners");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : voltpool::app::kExitBadInput;
  }
  for (auto& [sub, run] : commands) {
    if (sub->parsed()) return run();
  }
  return voltpool::app::kExitFailure;
}
