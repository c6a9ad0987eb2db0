// The benchmark scenario vpp-fleet-day-v1 (../shared/bench/vpp-fleet-day-v1.md): one day of 96 quarter-hour
// steps from 12:00 local, a bidirectional fleet behind one site limit of 4 kW per EV, a fixed price curve.
// The generator reproduces the published files bit for bit for any N and seed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "fleet/session.hpp"

namespace voltpool {

struct BenchEv {
  int64_t id = 0;
  bool overnight = false;
  int arrival_step = 0;    // may draw or inject power in steps arrival_step <= t < departure_step
  int departure_step = 0;
  double capacity_kwh = 0;
  double e_arrival_kwh = 0;
  double e_target_kwh = 0;  // also the charge ceiling
  double e_min_kwh = 0;
  double p_max_kw = 0;
  double p_dis_max_kw = 0;
};

inline constexpr int kFleetDaySteps = 96;
inline constexpr double kFleetDayStepHours = 0.25;
inline constexpr double kFleetDaySiteKwPerEv = 4.0;
inline constexpr double kFleetDayWearEurPerKwh = 0.03;

std::vector<BenchEv> generate_fleet_day(int64_t n, uint64_t seed);
std::vector<double> fleet_day_prices_eur_per_kwh();  // 96 values

// The scenario as plug-in sessions on a grid that starts at `grid_start` (the scenario has no calendar date):
// efficiency 1, the owner's departure known exactly, discharge allowed (every EV is bidirectional).
std::vector<PlugSession> to_plug_sessions(const std::vector<BenchEv>& evs, UtcTime grid_start);

}  // namespace voltpool
