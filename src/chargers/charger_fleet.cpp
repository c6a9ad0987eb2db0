#include "chargers/charger_fleet.hpp"

#include <algorithm>
#include <atomic>
#include <deque>
#include <fstream>
#include <mutex>
#include <thread>

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <fmt/format.h>

#include "server/auth.hpp"
#include "server/text_outbox.hpp"

namespace voltpool::chargers {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

struct Url {
  std::string host, port, path;
};

Result<Url> parse_ws_url(const std::string& url) {
  const std::string scheme = "ws://";
  if (url.rfind(scheme, 0) != 0) return Error{"--url must start with ws:// (got '" + url + "')"};
  std::string rest = url.substr(scheme.size());
  auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  Url u;
  u.path = slash == std::string::npos ? "" : rest.substr(slash);
  while (!u.path.empty() && u.path.back() == '/') u.path.pop_back();
  auto colon = authority.rfind(':');
  u.host = authority.substr(0, colon);
  u.port = colon == std::string::npos ? "80" : authority.substr(colon + 1);
  if (u.host.empty() || u.port.empty() || !std::all_of(u.port.begin(), u.port.end(), ::isdigit))
    return Error{"--url: expected ws://HOST:PORT/PATH, got '" + url + "'"};
  return u;
}

LatencyStats stats_of(std::vector<double> ms) {
  LatencyStats s;
  s.count = ms.size();
  if (ms.empty()) return s;
  std::sort(ms.begin(), ms.end());
  auto at = [&](double q) { return ms[std::min(ms.size() - 1, static_cast<std::size_t>(q * static_cast<double>(ms.size())))]; };
  s.p50_ms = at(0.50);
  s.p99_ms = at(0.99);
  s.max_ms = ms.back();
  return s;
}

// Transaction messages are delivered at least once (OCPP 2.0.1 E04.FR.01 / 1.6 §4.7): a station keeps those the
// CSMS did not acknowledge and sends them again, in order, once it is connected again.
bool is_transaction_message(const std::string& action) {
  return action == "TransactionEvent" || action == "StartTransaction" || action == "StopTransaction" ||
         action == "MeterValues";
}

// The energy register reading of a 2.x TransactionEvent, if it carries one.
std::optional<double> event_energy_wh(const nlohmann::json& payload) {
  if (!payload.contains("meterValue")) return std::nullopt;
  for (const auto& mv : payload["meterValue"])
    for (const auto& sv : mv["sampledValue"])
      if (!sv.contains("measurand") || sv["measurand"] == "Energy.Active.Import.Register") return sv["value"].get<double>();
  return std::nullopt;
}

struct Shared {
  ChargerFleetOptions options;
  std::ofstream ack_log;  // guarded by mutex
  std::chrono::steady_clock::time_point steady_from, steady_until;
  net::io_context ioc;
  tcp::endpoint endpoint;
  Url url;
  std::mutex mutex;
  ChargerFleetReport report;
  std::map<std::string, std::vector<double>> latencies_ms, steady_latencies_ms;
};

class ChargerConnection : public std::enable_shared_from_this<ChargerConnection> {
 public:
  ChargerConnection(Shared& shared, StationPlan plan)
      : shared_(shared),
        password_(std::move(plan.password)),
        ws_(std::make_unique<websocket::stream<beast::tcp_stream>>(net::make_strand(shared.ioc))),
        station_(plan.id, shared.options.version, plan.max_power_kw, std::move(plan.sessions), shared.options.meter_interval),
        endpoint_(
            shared.options.version,
            [this](std::string_view action, const nlohmann::json& payload) {
              return station_.handle(action, payload, shared_.options.clock.now());
            },
            shared.options.call_timeout),
        timer_(ws_->get_executor()) {}

  void start(std::chrono::milliseconds delay) {
    timer_.expires_after(delay);
    timer_.async_wait([self = shared_from_this()](beast::error_code) { self->connect(); });
  }

 private:
  void connect() {
    beast::get_lowest_layer(*ws_).expires_after(std::chrono::seconds(30));
    beast::get_lowest_layer(*ws_).async_connect(shared_.endpoint, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return self->retry_or_fail("connect: " + ec.message());
      std::string protocol(ocpp::rpc::subprotocol(self->shared_.options.version));
      std::string auth = server::basic_auth_header(self->station_.id(), self->password_);
      self->ws_->set_option(websocket::stream_base::decorator([protocol, auth](websocket::request_type& request) {
        request.set(http::field::sec_websocket_protocol, protocol);
        request.set(http::field::authorization, auth);
      }));
      std::string target = self->shared_.url.path + "/" + self->station_.id();
      self->ws_->async_handshake(self->handshake_response_, self->shared_.url.host, target,
                                [self](beast::error_code handshake_error) {
                                  if (handshake_error) {
                                    int status = self->handshake_response_.result_int();
                                    std::string why = fmt::format("handshake: {} (HTTP {})", handshake_error.message(), status);
                                    // Refusals (401, 404, 400) are final; an overloaded server is tried again.
                                    if (status == 401 || status == 404 || status == 400) return self->failed(why);
                                    return self->retry_or_fail(why);
                                  }
                                  self->opened();
                                });
    });
  }

  void opened() {
    beast::get_lowest_layer(*ws_).expires_never();
    ws_->set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
    {
      std::lock_guard lock(shared_.mutex);
      if (!ever_connected_) shared_.report.connected++;
      shared_.report.calls_resent += resend_.size();
    }
    ever_connected_ = true;
    connected_ = true;
    attempts_ = 0;
    read();
    std::vector<std::string> out;
    auto steady = std::chrono::steady_clock::now();
    for (auto& c : std::exchange(resend_, {})) send_call(std::move(c), steady, out);
    enqueue(std::move(out));
    tick();
  }

  // The open connection dropped (the CSMS went away): unacknowledged transaction messages wait for the next
  // connection, which is tried with backoff, like a station does.
  void lost(const std::string& why) {
    if (finished_ || !connected_) return;
    connected_ = false;
    {
      std::lock_guard lock(shared_.mutex);
      shared_.report.connections_lost++;
    }
    endpoint_.abandon_all("connection lost: " + why);
    if (shared_.options.clock.now() >= shared_.options.until) return finish();
    retry_or_fail(why);
  }

  struct Call {
    std::string action, label;
    nlohmann::json payload;
    ocpp::rpc::Endpoint::ResultHandler on_result;
  };

  void send_call(Call call, std::chrono::steady_clock::time_point steady, std::vector<std::string>& out) {
    auto shared_call = std::make_shared<Call>(std::move(call));
    endpoint_.call(shared_call->action, shared_call->payload,
                   [this, shared_call](const ocpp::rpc::CallOutcome& o) {
                     // The CALL's own round trip, not the time it queued behind this station's earlier CALLs.
                     if (o.ok) {
                       double ms = std::chrono::duration<double, std::milli>(o.round_trip).count();
                       latencies_ms_[shared_call->label].push_back(ms);
                       auto sent = std::chrono::steady_clock::now() - o.round_trip;
                       if (sent >= shared_.steady_from && sent < shared_.steady_until)
                         steady_latencies_ms_[shared_call->label].push_back(ms);
                       log_ack(*shared_call);
                     } else if (!connected_ && !finished_ && is_transaction_message(shared_call->action)) {
                       resend_.push_back(std::move(*shared_call));  // not acknowledged: sent again later
                       return;
                     }
                     shared_call->on_result(o);
                   },
                   steady, out);
  }

  void log_ack(const Call& call) {
    if (!shared_.ack_log.is_open() || call.action != "TransactionEvent") return;
    auto energy = event_energy_wh(call.payload);
    if (!energy) return;
    nlohmann::json line = {{"station", station_.id()},
                           {"transaction_id", call.payload["transactionInfo"]["transactionId"]},
                           {"event", call.payload["eventType"]},
                           {"timestamp", call.payload["timestamp"]},
                           {"energy_wh", *energy}};
    std::lock_guard lock(shared_.mutex);
    shared_.ack_log << line.dump() << '\n' << std::flush;
  }

  // Like a real station (OCPP 2.0.1 B10: RetryBackOff), waits a growing random time before trying again.
  void retry_or_fail(const std::string& why) {
    if (++attempts_ >= shared_.options.connect_attempts) return failed(why);
    {
      std::lock_guard lock(shared_.mutex);
      shared_.report.reconnects++;
    }
    beast::error_code ignored;
    beast::get_lowest_layer(*ws_).socket().close(ignored);
    // The old stream and its writes may still have handlers to run: they are kept (and ignored) until the end.
    retired_.emplace_back(std::move(ws_), std::move(outbox_));
    ++generation_;
    ws_ = std::make_unique<websocket::stream<beast::tcp_stream>>(timer_.get_executor());
    outbox_ = std::make_unique<server::TextOutbox>();
    buffer_.consume(buffer_.size());
    handshake_response_ = {};
    auto backoff = std::chrono::milliseconds((500 << attempts_) + static_cast<int>(std::hash<std::string>{}(station_.id()) % 1000));
    timer_.expires_after(backoff);
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->connect();
    });
  }

  void failed(const std::string& why) {
    {
      std::lock_guard lock(shared_.mutex);
      shared_.report.connect_failures++;
      if (shared_.report.first_connect_error.empty())
        shared_.report.first_connect_error = station_.id() + ": " + why;
    }
    if (ever_connected_) finish();  // what it did before is reported
  }

  void read() {
    ws_->async_read(buffer_, [self = shared_from_this(), generation = generation_](beast::error_code ec, std::size_t) {
      if (generation != self->generation_) return;  // a stream given up after a lost connection
      if (ec) return self->closing_ ? self->finish() : self->lost(ec.message());
      std::string text = beast::buffers_to_string(self->buffer_.data());
      self->buffer_.consume(self->buffer_.size());
      std::vector<std::string> out;
      self->endpoint_.receive(text, std::chrono::steady_clock::now(), out);
      self->enqueue(std::move(out));
      self->read();
    });
  }

  void tick() {
    if (finished_ || !connected_) return;  // opened() starts ticking again
    UtcTime now = shared_.options.clock.now();
    if (now >= shared_.options.until) {
      closing_ = true;
      ws_->async_close(websocket::close_code::normal, [self = shared_from_this()](beast::error_code) { self->finish(); });
      return;
    }
    std::vector<OutgoingCall> calls;
    station_.advance(now, calls);
    std::vector<std::string> out;
    auto steady = std::chrono::steady_clock::now();
    for (auto& call : calls) {
      std::string label = call.command.action;
      if (call.command.payload.contains("eventType")) label += "." + call.command.payload["eventType"].get<std::string>();
      std::string action = call.command.action;
      send_call({std::move(action), std::move(label), std::move(call.command.payload), std::move(call.on_result)},
                steady, out);
    }
    endpoint_.tick(steady, out);
    enqueue(std::move(out));
    timer_.expires_after(shared_.options.tick);
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->tick();
    });
  }

  void enqueue(std::vector<std::string> texts) {
    if (finished_) return;
    auto self = shared_from_this();
    outbox_->send(*ws_, std::move(texts), self, [] {}, [self, generation = generation_] {
      if (generation == self->generation_) self->lost("write failed");
    });
  }

  void finish() {
    if (finished_) return;
    finished_ = true;
    timer_.cancel();
    std::lock_guard lock(shared_.mutex);
    const StationCounters& c = station_.counters();
    StationCounters& t = shared_.report.totals;
    t.sessions_started += c.sessions_started;
    t.sessions_ended += c.sessions_ended;
    t.sessions_skipped += c.sessions_skipped;
    t.energy_requested_kwh += c.energy_requested_kwh;
    t.energy_delivered_kwh += c.energy_delivered_kwh;
    t.energy_discharged_kwh += c.energy_discharged_kwh;
    t.profiles_received += c.profiles_received;
    t.meter_values_sent += c.meter_values_sent;
    t.calls_failed += c.calls_failed;
    if (t.first_call_error.empty() && !c.first_call_error.empty()) t.first_call_error = station_.id() + ": " + c.first_call_error;
    for (auto& [action, ms] : latencies_ms_) {
      auto& all = shared_.latencies_ms[action];
      all.insert(all.end(), ms.begin(), ms.end());
    }
    for (auto& [action, ms] : steady_latencies_ms_) {
      auto& all = shared_.steady_latencies_ms[action];
      all.insert(all.end(), ms.begin(), ms.end());
    }
  }

  Shared& shared_;
  std::string password_;
  std::unique_ptr<websocket::stream<beast::tcp_stream>> ws_;  // replaced on a retry
  SimulatedStation station_;
  ocpp::rpc::Endpoint endpoint_;
  net::steady_timer timer_;
  beast::flat_buffer buffer_;
  websocket::response_type handshake_response_;
  std::unique_ptr<server::TextOutbox> outbox_ = std::make_unique<server::TextOutbox>();
  int generation_ = 0;  // which stream is current (handlers of given-up streams are ignored)
  std::vector<std::pair<std::unique_ptr<websocket::stream<beast::tcp_stream>>, std::unique_ptr<server::TextOutbox>>> retired_;
  bool finished_ = false;
  bool connected_ = false, ever_connected_ = false, closing_ = false;
  std::vector<Call> resend_;  // transaction messages not acknowledged before the connection dropped
  std::map<std::string, std::vector<double>> latencies_ms_, steady_latencies_ms_;
  int attempts_ = 0;
};

}  // namespace

Result<ChargerFleetReport> run_charger_fleet(const ChargerFleetOptions& options, std::vector<StationPlan> stations) {
  auto url = parse_ws_url(options.url);
  if (!url) return url.error();
  Shared shared;
  shared.options = options;
  shared.url = *url;
  if (!options.ack_log.empty()) {
    shared.ack_log.open(options.ack_log, std::ios::app);
    if (!shared.ack_log) return Error{"--ack-log: cannot write " + options.ack_log};
  }
  beast::error_code ec;
  tcp::resolver resolver(shared.ioc);
  auto resolved = resolver.resolve(url->host, url->port, ec);
  if (ec || resolved.empty()) return Error{fmt::format("--url: cannot resolve {}: {}", url->host, ec.message())};
  shared.endpoint = *resolved.begin();
  shared.report.stations = stations.size();
  shared.steady_from = std::chrono::steady_clock::now() + options.warmup;
  shared.steady_until = options.steady_for.count() > 0 ? shared.steady_from + options.steady_for
                                                       : std::chrono::steady_clock::time_point::max();
  // Connections start spread over the first tick, so thousands do not arrive in the same millisecond.
  std::vector<std::shared_ptr<ChargerConnection>> connections;
  for (std::size_t i = 0; i < stations.size(); ++i) {
    auto c = std::make_shared<ChargerConnection>(shared, std::move(stations[i]));
    auto delay = std::chrono::milliseconds(options.connect_spread.count() * static_cast<std::int64_t>(i) /
                                           static_cast<std::int64_t>(std::max<std::size_t>(1, stations.size())));
    c->start(delay);
    connections.push_back(std::move(c));
  }
  connections.clear();  // the connections keep themselves alive while they have work
  std::vector<std::thread> threads;
  for (int i = 1; i < std::max(1, options.threads); ++i) threads.emplace_back([&] { shared.ioc.run(); });
  shared.ioc.run();
  for (auto& t : threads) t.join();
  std::vector<double> all;
  for (auto& [action, ms] : shared.latencies_ms) {
    shared.report.latency_by_action[action] = stats_of(ms);
    all.insert(all.end(), ms.begin(), ms.end());
  }
  shared.report.latency_all = stats_of(std::move(all));
  std::vector<double> steady;
  for (auto& [action, ms] : shared.steady_latencies_ms) {
    shared.report.steady_latency_by_action[action] = stats_of(ms);
    steady.insert(steady.end(), ms.begin(), ms.end());
  }
  shared.report.steady_latency_all = stats_of(std::move(steady));
  return shared.report;
}

}  // namespace voltpool::chargers
