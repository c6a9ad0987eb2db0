// voltpool serve: the VPP as a service. Charging stations connect over OCPP-J (1.6, 2.0.1, 2.1) to
// ws://HOST:PORT/ocpp/STATION_ID; the control loop plans their sessions against prices and pushes TxProfiles.
// Runs until SIGINT or SIGTERM, then closes connections and stops; SIGHUP reloads the price file.
#include <csignal>
#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <fstream>
#include <iostream>

#include "app/clock_cli.hpp"
#include "app/commands.hpp"
#include "app/logging.hpp"
#include "app/process_limits.hpp"
#include "ocpp/csms/context.hpp"
#include "data/parse.hpp"
#include "data/moer_carbon.hpp"
#include "data/smard_prices.hpp"
#include "server/control_loop.hpp"
#include "server/ocpp_server.hpp"
#include "store/open_store.hpp"

namespace voltpool::app {

namespace {

struct ServeArgs {
  std::string db = "voltpool.db";
  server::ServerOptions server;
  settle::SettlementTerms settlement;
  server::BridgeOptions bridge;
  double default_dwell_h = 8;
  std::string prices, zone = "DE-LU", replay_prices_from, allow_id_tokens, carbon;
  ClockArgs clock;
  std::string log_format = "text";
};

Result<TimeSeries> load_prices(const ServeArgs& a) {
  LoadStats stats;
  auto prices = load_smard_prices(a.prices, a.zone, LoadOptions{}, stats);
  if (!prices || a.replay_prices_from.empty()) return prices;
  // Replay: the prices from that day on are shifted so that the day is today (UTC days; a demo on real data).
  auto from = parse_iso_date(a.replay_prices_from);
  if (!from) return Error{"--replay-prices-from: expected a date YYYY-MM-DD, got '" + a.replay_prices_from + "'"};
  auto today = std::chrono::floor<std::chrono::days>(ocpp::utc_now());
  prices->start += std::chrono::duration_cast<Seconds>(today - *from);
  return prices;
}

// The files' signals (at start and on SIGHUP); the series posted through the API stay laid over them.
Status load_signal_files(const ServeArgs& a, server::SignalBook& book) {
  if (!a.prices.empty()) {
    auto prices = load_prices(a);
    if (!prices) return prices.error();
    if (auto s = book.set_file(server::SignalKind::prices, std::move(prices).value()); !s) return s;
  }
  if (!a.carbon.empty()) {
    LoadStats stats;
    auto carbon = load_moer_kg_per_kwh(a.carbon, LoadOptions{}, stats);
    if (!carbon) return carbon.error();
    if (auto s = book.set_file(server::SignalKind::carbon, std::move(carbon).value()); !s) return s;
  }
  return ok_status();
}

Status load_allow_list(const std::string& path, store::Store& store) {
  std::ifstream in(path);
  if (!in) return Error{"--allow-id-tokens: cannot read " + path};
  std::string token;
  int line = 0;
  while (std::getline(in, token)) {
    ++line;
    if (!token.empty() && token.back() == '\r') token.pop_back();
    if (token.empty() || token[0] == '#') continue;
    if (token.size() > 36) return Error{fmt::format("{}:{}: id token longer than 36 characters", path, line)};
    if (auto s = store.allow_id_token(token); !s) return s;
  }
  return ok_status();
}

int run_serve(ServeArgs a) {
  if (auto s = set_up_logging(a.log_format); !s) {  // stderr: stdout stays for the address line
    std::cerr << "voltpool serve: " << s.error().message << "\n";
    return kExitBadInput;
  }
  auto clock = make_clock(a.clock);
  if (!clock) {
    std::cerr << "voltpool serve: " << clock.error().message << "\n";
    return kExitBadInput;
  }
  ocpp::set_service_clock(*clock);
  raise_open_file_limit();
  auto store = store::open_store(a.db);
  if (!store) {
    std::cerr << "voltpool serve: " << store.error().message << "\n";
    return kExitBadInput;
  }
  if (!a.allow_id_tokens.empty()) {
    if (auto s = load_allow_list(a.allow_id_tokens, **store); !s) {
      std::cerr << "voltpool serve: " << s.error().message << "\n";
      return kExitBadInput;
    }
    a.bridge.id_token_allow_list = true;
  }
  a.bridge.default_dwell = Seconds(static_cast<std::int64_t>(a.default_dwell_h * 3600));
  // The fail-safe default: under a site limit, each station's equal share of it.
  if (!a.server.fail_safe_kw && a.bridge.site_limit_kw > 0) {
    std::size_t stations = std::max<std::size_t>(1, (*store)->stations().size());
    a.server.fail_safe_kw = a.bridge.site_limit_kw / static_cast<double>(stations);
  }

  // Signals are taken by sigwait below; the server's threads must not see them.
  sigset_t process_signals;
  sigemptyset(&process_signals);
  sigaddset(&process_signals, SIGINT);
  sigaddset(&process_signals, SIGTERM);
  sigaddset(&process_signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &process_signals, nullptr);

  server::FleetBridge bridge(**store, a.bridge);
  server::SignalBook book(**store, bridge);  // the prices and carbon posted earlier, over the files
  if (auto s = load_signal_files(a, book); !s) {
    std::cerr << "voltpool serve: " << s.error().message << "\n";
    return kExitBadInput;
  }
  server::SessionSettler settler(**store, a.settlement, a.bridge.default_max_power_kw);
  server::DispatchLoop dispatch(bridge, **store);
  server::OcppServer ocpp(a.server, server::ApiServices{**store, bridge, settler, book, dispatch});
  auto port = ocpp.start();
  if (!port) {
    std::cerr << "voltpool serve: " << port.error().message << "\n";
    return kExitBadInput;
  }
  server::ControlLoop loop(bridge, settler, a.bridge.plan_step);
  loop.start();
  dispatch.set_sink(&ocpp);
  dispatch.start();
  std::string scheme = a.server.tls_cert_file ? "wss" : "ws";
  std::cout << fmt::format("voltpool serve: OCPP at {}://{}:{}/ocpp/{{station_id}} (ocpp2.1, ocpp2.0.1, ocpp1.6), "
                           "database {}\n", scheme, a.server.host, *port, a.db)
            << std::flush;
  int signal = 0;
  for (;;) {
    sigwait(&process_signals, &signal);
    if (signal != SIGHUP) break;
    // SIGHUP: the signal files were updated (e.g. the next day-ahead auction); reload them and re-plan.
    if (a.prices.empty() && a.carbon.empty()) {
      spdlog::warn("SIGHUP: no --prices or --carbon file to reload");
      continue;
    }
    if (auto s = load_signal_files(a, book); !s) {
      spdlog::error("SIGHUP: signals not reloaded, the old ones stay: {}", s.error().message);
      continue;
    }
    spdlog::info("SIGHUP: signals reloaded");
  }
  spdlog::info("signal {}: shutting down", signal);
  dispatch.stop();
  dispatch.set_sink(nullptr);
  loop.stop();
  ocpp.stop();
  auto stats = ocpp.stats();
  std::cout << fmt::format("voltpool serve: stopped; {} messages in, {} out, {} profiles accepted; the last re-plan's "
                           "{} profiles were answered in {:.1f} ms\n", stats.messages_in, stats.messages_out,
                           stats.profiles_accepted, stats.last_batch_profiles, stats.last_batch_ms);
  return kExitOk;
}

}  // namespace

Command add_serve(CLI::App& app) {
  auto a = std::make_shared<ServeArgs>();
  auto* cmd = app.add_subcommand("serve", "run the VPP service: OCPP endpoint for charging stations + control loop");
  cmd->fallthrough();  // --config is the main app's (main.cpp); flags given here override the file
  cmd->add_option("--db", a->db, "the database: an SQLite file (created when missing) or a PostgreSQL URI, postgresql://USER@HOST:PORT/DB")->capture_default_str();
  cmd->add_option("--host", a->server.host, "address to listen on")->capture_default_str();
  cmd->add_option("--port", a->server.port, "port (0: any free port)")->capture_default_str();
  cmd->add_option("--threads", a->server.threads, "network threads")->capture_default_str();
  cmd->add_option("--tls-cert", a->server.tls_cert_file, "PEM certificate chain: serve wss:// (security profile 2)");
  cmd->add_option("--tls-key", a->server.tls_key_file, "PEM private key of --tls-cert");
  cmd->add_option("--prices", a->prices, "SMARD day-ahead price file (without: charge as early as possible)");
  cmd->add_option("--zone", a->zone, "price zone of --prices")->capture_default_str();
  cmd->add_option("--replay-prices-from", a->replay_prices_from,
                  "shift --prices so this date (YYYY-MM-DD) is today: a live demo on historical prices");
  cmd->add_option("--carbon", a->carbon, "marginal emissions, SGIP MOER .csv.gz file or folder (kg CO2/kWh)");
  cmd->add_option("--carbon-price-eur-per-t", a->bridge.carbon_price_eur_per_t,
                  "plan on the carbon signal at this price per tonne of CO2 (0: reported only)")->capture_default_str();
  cmd->add_option("--site-limit-kw", a->bridge.site_limit_kw, "import limit of the whole site (0: none)");
  cmd->add_option("--platform-share", a->settlement.platform_share,
                  "share of an owner's savings the platform keeps (earnings API)")->check(CLI::Range(0.0, 1.0))->capture_default_str();
  cmd->add_option("--fail-safe-kw", a->server.fail_safe_kw,
                  "TxDefaultProfile limit set on every station as it connects, in force when voltpool is unreachable "
                  "(default: with --site-limit-kw, each station's equal share of it; else none)");
  cmd->add_flag("--v2g", a->bridge.v2g, "EVs that offer discharge (OCPP 2.1 V2X needs) may discharge");
  cmd->add_option("--wear-eur-per-kwh", a->bridge.wear_eur_per_kwh, "battery wear per kWh discharged")
      ->capture_default_str();
  cmd->add_option("--default-energy-kwh", a->bridge.default_energy_kwh,
                  "energy a car needs when neither the EV nor its owner said")->capture_default_str();
  cmd->add_option("--default-dwell-h", a->default_dwell_h, "hours a car stays when nobody said")->capture_default_str();
  cmd->add_option("--default-max-power-kw", a->bridge.default_max_power_kw,
                  "power of a station provisioned without one")->capture_default_str();
  cmd->add_option("--heartbeat-s", a->bridge.heartbeat_interval_s, "heartbeat interval given to stations")
      ->capture_default_str();
  cmd->add_option("--allow-id-tokens", a->allow_id_tokens,
                  "file of accepted id tokens, one per line (without: every token is accepted)");
  cmd->add_option("--station-rate-limit", a->server.station_rate_per_s,
                  "messages a second each station may send; beyond it they are read more slowly (0: no limit)")
      ->check(CLI::Range(0.0, 1e6))->capture_default_str();
  cmd->add_option("--station-burst", a->server.station_burst, "messages a station may send at once")
      ->check(CLI::Range(1.0, 1e6))->capture_default_str();
  cmd->add_option("--log-format", a->log_format, "stderr logs: text, or json (one object per line)")->capture_default_str();
  add_clock_options(cmd, a->clock);
  return [a] { return run_serve(*a); };
}

}  // namespace voltpool::app
