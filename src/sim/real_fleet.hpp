// Turns real data into a simulation: sessions from a charging-site data set re-dated onto the price calendar
// (whole weeks, local wall-clock kept; see fleet/redate.hpp), owner needs derived from what the data says,
// day-ahead prices on the grid with their publication time, and optionally a carbon signal re-dated likewise.
#pragma once

#include <chrono>
#include <limits>
#include <optional>

#include "core/series.hpp"
#include "fleet/redate.hpp"
#include "sim/simulator.hpp"

namespace voltpool {

struct RealFleetOptions {
  std::chrono::sys_days from{};  // first day, in the market's local calendar
  int days = 7;
  Seconds step = kDefaultStep;
  VehicleSpec vehicle;
  OwnerDefaults owner;
  double site_limit_kw = std::numeric_limits<double>::infinity();
  TimeZone market_tz = europe_berlin();  // every SMARD zone keeps Central European time
  std::optional<std::chrono::sys_days> sessions_from;  // the data day mapped onto `from`; default: chosen
  // Day-ahead prices of local day D are known from D-1 at this local hour (SDAC results come at ~12:45 CET).
  int day_ahead_published_hour = 13;
  bool planners_know_actual_departure = false;  // research switch: perfect knowledge of departures
  // When the window runs past the data, replay the data's weeks (from sessions_from to its last day, in whole
  // weeks) again and again: the same drivers on the same weekdays, each replay's session ids suffixed ~1, ~2...
  bool repeat_sessions = false;
};

struct RealFleet {
  SimulationInput input;
  std::chrono::sys_days sessions_from{};  // the data day that became `from`
  std::chrono::days shift{0};
  std::optional<std::chrono::sys_days> carbon_from;
};

// An error names what does not fit (no sessions in the window, prices or carbon not covering the grid).
Result<RealFleet> build_real_fleet(const SessionSet& sessions, const TimeSeries& prices_eur_per_kwh,
                                   const TimeSeries* carbon_kg_per_kwh, const TimeZone& carbon_tz,
                                   const RealFleetOptions& opts);

}  // namespace voltpool
