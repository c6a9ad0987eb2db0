// The clock options `serve` and `chargers` share, so a demo can replay a day of real sessions at any speed with
// both processes on the same simulated time: sim = start + (wall - epoch) * speed.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "core/clock.hpp"
#include "core/result.hpp"

namespace voltpool::app {

struct ClockArgs {
  std::string start;    // ISO date or date-time (UTC); empty: the wall clock
  double speed = 1.0;
  double epoch_s = 0;   // unix seconds at which sim time is `start`; 0: when the process starts
};

void add_clock_options(CLI::App* cmd, ClockArgs& args);
// `default_start` is used when --clock-start is absent but a speed other than 1 is asked for.
Result<SimClock> make_clock(const ClockArgs& args, std::optional<UtcTime> default_start = std::nullopt);

}  // namespace voltpool::app
