// Many simulated stations connected to a CSMS over real OCPP-J WebSockets (Boost.Beast clients on a shared
// thread pool): for demos and load tests. Each station replays its sessions on the given clock and reports what
// it did; every CALL's round trip is timed.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "chargers/simulated_station.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"

namespace voltpool::chargers {

struct StationPlan {
  std::string id;
  std::string password;
  double max_power_kw = 11;
  std::vector<PlannedSession> sessions;
};

struct ChargerFleetOptions {
  std::string url;  // ws://HOST:PORT/PATH; a station connects to URL/ID
  ProtocolVersion version = ProtocolVersion::ocpp201;
  int threads = 2;
  SimClock clock;
  Seconds meter_interval{10};
  std::chrono::milliseconds tick{1000};  // how often (wall) each station moves its clock on
  UtcTime until{};                        // sim time to stop at (every station leaves then)
  std::chrono::milliseconds call_timeout{30'000};
  std::chrono::milliseconds connect_spread{1000};  // stations connect evenly over this wall time
  std::chrono::milliseconds warmup{6000};          // calls sent before this (wall) are not in the steady latency
  std::chrono::milliseconds steady_for{0};         // nor those sent this long after it (0: until the end)
  int connect_attempts = 5;                        // a refused or reset connection is retried with backoff
  // OCPP 2.x: every acknowledged TransactionEvent with an energy register reading is written to this file, one
  // JSON line {station, transaction_id, event, timestamp, energy_wh}, flushed as it is acknowledged (tests count
  // them against what the CSMS stored). Empty: none.
  std::string ack_log;
};

struct LatencyStats {
  std::size_t count = 0;
  double p50_ms = 0, p99_ms = 0, max_ms = 0;
};

struct ChargerFleetReport {
  std::size_t stations = 0, connected = 0, connect_failures = 0;
  std::string first_connect_error;
  StationCounters totals;
  std::size_t reconnects = 0;
  std::size_t connections_lost = 0;   // open connections that dropped (the station reconnects)
  std::size_t calls_resent = 0;       // transaction messages sent again after a lost connection
  std::map<std::string, LatencyStats> latency_by_action;
  LatencyStats latency_all;
  std::map<std::string, LatencyStats> steady_latency_by_action;  // calls sent after the warm-up
  LatencyStats steady_latency_all;
};

// Runs until the clock reaches `options.until`; blocks. An error names a malformed URL.
Result<ChargerFleetReport> run_charger_fleet(const ChargerFleetOptions& options, std::vector<StationPlan> stations);

}  // namespace voltpool::chargers
