#include "app/clock_cli.hpp"

#include "data/parse.hpp"

namespace voltpool::app {

void add_clock_options(CLI::App* cmd, ClockArgs& args) {
  cmd->add_option("--clock-start", args.start, "simulated time at the epoch: YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (UTC)");
  cmd->add_option("--clock-speed", args.speed, "simulated seconds per wall second")->capture_default_str();
  cmd->add_option("--clock-epoch", args.epoch_s, "unix time at which the clock shows --clock-start (default: now)");
}

Result<SimClock> make_clock(const ClockArgs& args, std::optional<UtcTime> default_start) {
  if (!(args.speed > 0) || args.speed > 1e6) return Error{"--clock-speed must be within (0, 1e6]"};
  std::optional<UtcTime> start = default_start;
  if (!args.start.empty()) {
    if (auto day = parse_iso_date(args.start)) {
      start = UtcTime{*day};
    } else if (auto t = parse_iso_with_offset(args.start)) {
      start = *t;
    } else {
      return Error{"--clock-start: expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, got '" + args.start + "'"};
    }
  }
  if (!start) {
    if (args.speed != 1.0) return Error{"--clock-speed needs --clock-start"};
    return SimClock{};
  }
  auto epoch = args.epoch_s > 0 ? std::chrono::system_clock::time_point(std::chrono::milliseconds(
                                      static_cast<std::int64_t>(args.epoch_s * 1000)))
                                : std::chrono::system_clock::now();
  return SimClock{*start, epoch, args.speed};
}

}  // namespace voltpool::app
