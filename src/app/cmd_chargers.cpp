// voltpool chargers: simulated charging stations that replay real plug-in sessions against a CSMS over OCPP-J,
// obey the profiles they receive and report what they did (energy, profiles, round-trip times). For demos and
// load tests: `voltpool chargers --count 100 --url ws://127.0.0.1:8180/ocpp --sessions FILE --speed 60`.
#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <queue>

#include "app/clock_cli.hpp"
#include "app/commands.hpp"
#include "app/process_limits.hpp"
#include "chargers/charger_fleet.hpp"
#include "data/parse.hpp"
#include "data/fleet_day_files.hpp"
#include "data/sessions.hpp"

namespace voltpool::app {

namespace {

struct ChargersArgs {
  int count = 10;
  std::string url;
  std::vector<std::string> sessions;
  std::string fleet_day;
  double shift_hours = 0;
  int present_at_step = -1;
  double duration_s = 0;
  std::string from;
  int days = 1;
  std::string protocol = "2.0.1";
  std::string password = "voltpool-station-secret";
  std::string id_prefix = "CS-";
  double max_power_kw = 11;
  double v2x_offer_kwh = 0;
  int meter_interval_s = 10;
  int tick_ms = 1000;
  double connect_spread_s = -1;  // default: 1 s per 1,000 stations (at least one tick)
  double warmup_s = -1;          // default: the connect spread + 5 s
  double steady_s = 0;           // 0: until the end
  int threads = 2;
  std::string provision_csv, report, ack_log;
  ClockArgs clock;
  bool lenient = false;
};

std::string station_id(const ChargersArgs& a, int i) { return fmt::format("{}{:05d}", a.id_prefix, i + 1); }

// An id tag for a driver (or a session): stable, and within 1.6's 20 characters. FNV-1a, not std::hash, so it
// is the same on every run.
std::string short_tag(const std::string& key) {
  std::uint32_t h = 2166136261u;
  for (char c : key) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
  return fmt::format("TAG-{:08X}", h);
}

// Each session goes to the station that has been free longest (one car per station at a time); a session that
// finds every station busy is left out and counted.
std::vector<chargers::StationPlan> assign_sessions(const ChargersArgs& a, const std::vector<RecordedSession>& sessions,
                                                   std::size_t& left_out) {
  std::vector<chargers::StationPlan> stations(static_cast<std::size_t>(a.count));
  using Free = std::pair<UtcTime, std::size_t>;
  std::priority_queue<Free, std::vector<Free>, std::greater<>> free;
  for (std::size_t i = 0; i < stations.size(); ++i) {
    stations[i].id = station_id(a, static_cast<int>(i));
    stations[i].password = a.password;
    stations[i].max_power_kw = a.max_power_kw;
    free.push({UtcTime{}, i});
  }
  left_out = 0;
  for (const auto& s : sessions) {
    auto [free_at, i] = free.top();
    if (free_at > s.arrival || s.delivered_kwh <= 0) {
      left_out++;
      continue;
    }
    free.pop();
    chargers::PlannedSession p;
    p.id_tag = short_tag(s.vehicle_id.empty() ? s.id : s.vehicle_id);
    p.arrival = s.arrival;
    p.departure = s.departure;
    p.announced_departure = s.est_departure.value_or(s.departure);
    p.energy_kwh = s.delivered_kwh;
    p.ev_max_kw = s.evse_max_kw > 0 ? s.evse_max_kw : a.max_power_kw;
    p.v2x_offer_kwh = a.v2x_offer_kwh;
    stations[i].sessions.push_back(p);
    free.push({s.departure, i});
  }
  return stations;
}

// vpp-fleet-day-v1 EVs (bench/): one station per EV, the day starting at `start`; the car wants its target.
Result<std::vector<chargers::StationPlan>> fleet_day_plans(const ChargersArgs& a, UtcTime start) {
  LoadStats stats;
  auto evs = load_fleet_day_evs(a.fleet_day, LoadOptions{a.lenient}, stats);
  if (!evs) return evs.error();
  std::vector<chargers::StationPlan> plans;
  for (const auto& ev : *evs) {
    if (static_cast<int>(plans.size()) >= a.count) break;
    if (a.present_at_step >= 0 && !(ev.arrival_step <= a.present_at_step && a.present_at_step < ev.departure_step))
      continue;
    chargers::StationPlan p;
    p.id = station_id(a, static_cast<int>(plans.size()));
    p.password = a.password;
    p.max_power_kw = ev.p_max_kw;
    chargers::PlannedSession s;
    s.id_tag = fmt::format("EV-{}", ev.id);
    s.arrival = start + std::chrono::minutes(15 * ev.arrival_step);
    s.departure = s.announced_departure = start + std::chrono::minutes(15 * ev.departure_step);
    s.energy_kwh = std::max(0.0, ev.e_target_kwh - ev.e_arrival_kwh);
    s.ev_max_kw = ev.p_max_kw;
    s.v2x_offer_kwh = a.v2x_offer_kwh;
    p.sessions.push_back(s);
    plans.push_back(std::move(p));
  }
  return plans;
}

int run_chargers(const ChargersArgs& a) {
  std::map<std::string, ocpp::rpc::ProtocolVersion> versions = {
      {"1.6", ocpp::rpc::ProtocolVersion::ocpp16}, {"2.0.1", ocpp::rpc::ProtocolVersion::ocpp201},
      {"2.1", ocpp::rpc::ProtocolVersion::ocpp21}};
  if (!versions.count(a.protocol)) {
    std::cerr << "voltpool chargers: --protocol must be 1.6, 2.0.1 or 2.1\n";
    return kExitBadInput;
  }
  if (a.v2x_offer_kwh < 0 || (a.v2x_offer_kwh > 0 && a.protocol != "2.1")) {
    std::cerr << "voltpool chargers: --v2x-offer-kwh needs --protocol 2.1 and a non-negative energy\n";
    return kExitBadInput;
  }
  if (a.count < 1 || a.count > 100000) {
    std::cerr << "voltpool chargers: --count must be within [1, 100000]\n";
    return kExitBadInput;
  }
  if (a.sessions.empty() == a.fleet_day.empty()) {
    std::cerr << "voltpool chargers: give either --sessions (real data) or --fleet-day (a vpp-fleet-day-v1 EV file)\n";
    return kExitBadInput;
  }
  std::optional<UtcTime> from;
  if (!a.from.empty()) {
    auto day = parse_iso_date(a.from);
    if (!day) {
      std::cerr << "voltpool chargers: --from: expected YYYY-MM-DD, got '" << a.from << "'\n";
      return kExitBadInput;
    }
    from = UtcTime{*day};
  }
  std::vector<chargers::StationPlan> plans;
  std::size_t left_out = 0, played = 0;
  UtcTime start{}, end{};
  if (!a.fleet_day.empty()) {
    start = from.value_or(UtcTime{std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())});
    end = start + std::chrono::days(1);
    auto day = fleet_day_plans(a, start);
    if (!day) {
      std::cerr << "voltpool chargers: " << day.error().message << "\n";
      return kExitBadInput;
    }
    plans = std::move(day).value();
    played = plans.size();
  } else {
    LoadStats stats;
    auto loaded = load_sessions(a.sessions, LoadOptions{a.lenient}, stats);
    if (!loaded) {
      std::cerr << "voltpool chargers: " << loaded.error().message << "\n";
      return kExitBadInput;
    }
    auto& all = loaded->sessions;
    // Moving the sessions in time, e.g. so a Californian workplace's mornings meet European prices' mornings.
    Seconds shift(static_cast<std::int64_t>(std::llround(a.shift_hours * 3600)));
    for (auto& s : all) {
      s.arrival += shift;
      s.departure += shift;
      if (s.est_departure) *s.est_departure += shift;
    }
    if (all.empty()) {
      std::cerr << "voltpool chargers: no sessions in " << loaded->source << "\n";
      return kExitBadInput;
    }
    start = from.value_or(UtcTime{std::chrono::floor<std::chrono::days>(all.front().arrival)});
    end = start + std::chrono::days(a.days);
    std::vector<RecordedSession> window;
    for (const auto& s : all)
      if (s.arrival >= start && s.arrival < end) window.push_back(s);
    plans = assign_sessions(a, window, left_out);
    played = window.size() - left_out;
  }

  if (!a.provision_csv.empty()) {
    std::ofstream csv(a.provision_csv);
    csv << "id,password,max_power_kw\n";
    for (const auto& p : plans) csv << p.id << "," << p.password << "," << p.max_power_kw << "\n";
    if (!csv) {
      std::cerr << "voltpool chargers: cannot write " << a.provision_csv << "\n";
      return kExitFailure;
    }
    if (a.url.empty()) {
      std::cout << fmt::format("{} stations written to {}\n", plans.size(), a.provision_csv);
      return kExitOk;
    }
  }
  if (a.url.empty()) {
    std::cerr << "voltpool chargers: --url is required (or --provision-csv alone to write the stations)\n";
    return kExitBadInput;
  }
  auto clock = make_clock(a.clock, start);
  if (!clock) {
    std::cerr << "voltpool chargers: " << clock.error().message << "\n";
    return kExitBadInput;
  }
  if (a.duration_s > 0)
    end = std::min(end, clock->now() + Seconds(static_cast<std::int64_t>(a.duration_s * clock->speed())));
  raise_open_file_limit();
  chargers::ChargerFleetOptions options;
  options.url = a.url;
  options.version = versions.at(a.protocol);
  options.threads = a.threads;
  options.clock = *clock;
  options.meter_interval = Seconds(a.meter_interval_s);
  options.tick = std::chrono::milliseconds(a.tick_ms);
  options.until = end;
  options.ack_log = a.ack_log;
  double spread_s = a.connect_spread_s >= 0 ? a.connect_spread_s
                                            : std::max(a.tick_ms / 1000.0, static_cast<double>(plans.size()) / 1000.0);
  options.connect_spread = std::chrono::milliseconds(static_cast<std::int64_t>(spread_s * 1000));
  options.warmup = std::chrono::milliseconds(static_cast<std::int64_t>((a.warmup_s >= 0 ? a.warmup_s : spread_s + 5) * 1000));
  options.steady_for = std::chrono::milliseconds(static_cast<std::int64_t>(a.steady_s * 1000));
  std::cerr << fmt::format("voltpool chargers: {} stations, {} sessions ({} left out: every station busy) until {} "
                           "at {}x\n", plans.size(), played, left_out, format_utc(end), clock->speed());
  auto report = chargers::run_charger_fleet(options, std::move(plans));
  if (!report) {
    std::cerr << "voltpool chargers: " << report.error().message << "\n";
    return kExitBadInput;
  }
  const auto& t = report->totals;
  auto latency = [](const chargers::LatencyStats& s) {
    return nlohmann::json{{"count", s.count}, {"p50_ms", s.p50_ms}, {"p99_ms", s.p99_ms}, {"max_ms", s.max_ms}};
  };
  nlohmann::json out = {{"stations", report->stations},
                        {"connected", report->connected},
                        {"connect_failures", report->connect_failures},
                        {"first_connect_error", report->first_connect_error},
                        {"sessions_started", t.sessions_started},
                        {"sessions_ended", t.sessions_ended},
                        {"sessions_left_out", left_out + t.sessions_skipped},
                        {"energy_requested_kwh", t.energy_requested_kwh},
                        {"energy_delivered_kwh", t.energy_delivered_kwh},
                        {"energy_discharged_kwh", t.energy_discharged_kwh},
                        {"profiles_received", t.profiles_received},
                        {"meter_values_sent", t.meter_values_sent},
                        {"calls_failed", t.calls_failed},
                        {"first_call_error", t.first_call_error},
                        {"reconnects", report->reconnects},
                        {"connections_lost", report->connections_lost},
                        {"calls_resent", report->calls_resent},
                        {"latency_all", latency(report->latency_all)},
                        {"steady_latency_all", latency(report->steady_latency_all)}};
  for (const auto& [action, s] : report->latency_by_action) out["latency_by_action"][action] = latency(s);
  for (const auto& [action, s] : report->steady_latency_by_action) out["steady_latency_by_action"][action] = latency(s);
  std::cout << out.dump(2) << "\n";
  if (!a.report.empty()) std::ofstream(a.report) << out.dump(2) << "\n";
  return report->connected == report->stations ? kExitOk : kExitFailure;
}

}  // namespace

Command add_chargers(CLI::App& app) {
  auto a = std::make_shared<ChargersArgs>();
  auto* cmd = app.add_subcommand("chargers", "simulated charging stations replaying real sessions over OCPP-J");
  cmd->add_option("--count", a->count, "number of stations")->capture_default_str();
  cmd->add_option("--url", a->url, "the CSMS's OCPP endpoint, e.g. ws://127.0.0.1:8180/ocpp");
  cmd->add_option("--sessions", a->sessions, "session files or folders (ACN-Data, Dundee, Perth)");
  cmd->add_option("--shift-hours", a->shift_hours, "move every session by this many hours (e.g. -9: Pasadena's "
                  "mornings at Berlin's, UTC)");
  cmd->add_option("--fleet-day", a->fleet_day, "a vpp-fleet-day-v1 EV file instead: one station per EV (load tests)");
  cmd->add_option("--present-at-step", a->present_at_step, "with --fleet-day: only the EVs plugged in at this step");
  cmd->add_option("--duration-s", a->duration_s, "stop after this many wall seconds (default: the end of the days)");
  cmd->add_option("--from", a->from, "first day to replay, YYYY-MM-DD (default: the first day in the data)");
  cmd->add_option("--days", a->days, "days to replay")->capture_default_str();
  cmd->add_option("--protocol", a->protocol, "1.6, 2.0.1 or 2.1")->capture_default_str();
  cmd->add_option("--password", a->password, "every station's Basic-auth password")->capture_default_str();
  cmd->add_option("--id-prefix", a->id_prefix, "station ids are PREFIX00001, PREFIX00002, ...")->capture_default_str();
  cmd->add_option("--max-power-kw", a->max_power_kw, "each station's power")->capture_default_str();
  cmd->add_option("--v2x-offer-kwh", a->v2x_offer_kwh, "OCPP 2.1: each EV offers to give back this much (V2X)");
  cmd->add_option("--meter-interval-s", a->meter_interval_s, "simulated seconds between meter values")
      ->capture_default_str();
  cmd->add_option("--tick-ms", a->tick_ms, "wall milliseconds between a station's steps")->capture_default_str();
  cmd->add_option("--threads", a->threads, "network threads")->capture_default_str();
  cmd->add_option("--connect-spread-s", a->connect_spread_s, "stations connect evenly over this many wall seconds "
                  "(default: 1 s per 1,000 stations)");
  cmd->add_option("--warmup-s", a->warmup_s, "calls sent earlier are left out of the steady latency "
                  "(default: the connect spread + 5 s)");
  cmd->add_option("--steady-s", a->steady_s, "length of the steady window after the warm-up (default: to the end)");
  cmd->add_option("--speed", a->clock.speed, "simulated seconds per wall second (same as --clock-speed)");
  cmd->add_option("--provision-csv", a->provision_csv,
                  "write the stations (id,password,max_power_kw) for `voltpool stations add --from-csv`");
  cmd->add_option("--report", a->report, "also write the JSON report to this file");
  cmd->add_option("--ack-log", a->ack_log, "OCPP 2.x: append every acknowledged TransactionEvent with an energy "
                                           "reading to this file, one JSON line each (durability tests)");
  cmd->add_flag("--lenient", a->lenient, "skip malformed session rows (counted) instead of failing");
  add_clock_options(cmd, a->clock);
  return [a] { return run_chargers(*a); };
}

}  // namespace voltpool::app
