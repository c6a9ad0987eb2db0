// The `voltpool` subcommands. Each registers its options on the CLI11 app and returns the process exit code:
// 0 success, 2 bad input (a file, a flag), 3 an infeasible request, 1 anything else.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace voltpool::app {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitBadInput = 2;

using Command = std::function<int()>;

Command add_simulate(CLI::App& app);
Command add_schedule(CLI::App& app);
Command add_generate(CLI::App& app);
Command add_bench(CLI::App& app);
Command add_degrade(CLI::App& app);
Command add_flex(CLI::App& app);
Command add_disaggregate(CLI::App& app);
Command add_track(CLI::App& app);
Command add_serve(CLI::App& app);
Command add_stations(CLI::App& app);
Command add_chargers(CLI::App& app);
Command add_tokens(CLI::App& app);
Command add_owners(CLI::App& app);

}  // namespace voltpool::app
