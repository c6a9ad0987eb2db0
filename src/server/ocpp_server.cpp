#include "server/ocpp_server.hpp"

#include <atomic>
#include <deque>
#include <map>
#include <set>
#include <thread>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "ocpp/csms/context.hpp"
#include "ocpp/csms/station_session.hpp"
#include "server/auth.hpp"
#include "server/http_api.hpp"
#include "server/text_outbox.hpp"
#include "server/token_bucket.hpp"

namespace voltpool::server {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using ocpp::rpc::CallOutcome;

namespace {

ocpp::rpc::SteadyTime steady_now() { return std::chrono::steady_clock::now(); }

// TxProfiles use ids derived from their transaction (FleetBridge::profile_id, always odd); the default is 2.
constexpr int kFailSafeProfileId = 2;

// A connected station, whatever its stream type.
class Connection {
 public:
  virtual ~Connection() = default;
  // Queues a CALL to the station (from any thread); `on_result` runs on the connection's strand.
  virtual void send(ocpp::Command command, ocpp::rpc::Endpoint::ResultHandler on_result) = 0;
  virtual void close() = 0;
  // Immutable after construction: safe from any thread.
  virtual const ocpp::ProtocolBlocks& blocks() const = 0;
};

}  // namespace

struct detail::OcppServerState : std::enable_shared_from_this<detail::OcppServerState> {
  OcppServerState(ServerOptions o, ApiServices services)
      : options(std::move(o)),
        store(services.store),
        bridge(services.bridge),
        ioc(std::max(1, options.threads)),
        api(services, [this] { return metrics(); }) {}

  ServerOptions options;
  store::Store& store;
  FleetBridge& bridge;
  net::io_context ioc;
  std::optional<ssl::context> tls;
  std::optional<tcp::acceptor> acceptor;
  std::vector<std::thread> threads;
  std::atomic<bool> stopping{false};

  mutable std::mutex mutex;
  std::map<std::string, std::weak_ptr<Connection>> stations;
  std::map<std::string, std::pair<std::string, std::string>> verified;  // station -> (stored hash, sha256(password))
  std::set<std::pair<std::string, std::string>> read_back;  // (station, transaction) whose schedule was read back

  std::size_t last_batch_profiles = 0;  // guarded by mutex
  double last_batch_ms = 0;
  std::atomic<int> remote_starts{0};
  std::atomic<std::size_t> refused{0}, messages_in{0}, messages_throttled{0}, messages_out{0}, profiles_accepted{0}, profiles_rejected{0},
      schedules_verified{0};
  HttpApi api;  // the REST API on the same port

  // Prometheus lines of the transport (HttpApi adds the planner's and the store's).
  std::string metrics() const {
    std::size_t connections = 0;
    {
      std::lock_guard lock(mutex);
      connections = stations.size();
    }
    std::string out;
    auto line = [&](const char* name, const char* type, std::size_t v) {
      out += fmt::format("# TYPE {} {}\n{} {}\n", name, type, name, v);
    };
    line("voltpool_station_connections", "gauge", connections);
    line("voltpool_station_refusals_total", "counter", refused);
    line("voltpool_ocpp_messages_in_total", "counter", messages_in);
    line("voltpool_ocpp_messages_out_total", "counter", messages_out);
    line("voltpool_ocpp_messages_throttled_total", "counter", messages_throttled);
    line("voltpool_profiles_accepted_total", "counter", profiles_accepted);
    line("voltpool_profiles_rejected_total", "counter", profiles_rejected);
    return out;
  }

  void accept_next();
  template <class Stream>
  void serve_http(Stream stream);

  bool credentials_ok(const std::string& station_id, const std::string& stored_hash, const std::string& password) {
    std::string digest = sha256_hex(password);
    {
      std::lock_guard lock(mutex);
      auto it = verified.find(station_id);
      if (it != verified.end() && it->second.first == stored_hash && it->second.second == digest) return true;
    }
    if (!verify_password(password, stored_hash)) return false;
    std::lock_guard lock(mutex);
    verified[station_id] = {stored_hash, digest};
    return true;
  }

  void attach(const std::string& station_id, const std::shared_ptr<Connection>& connection) {
    std::shared_ptr<Connection> previous;
    {
      std::lock_guard lock(mutex);
      previous = stations[station_id].lock();
      stations[station_id] = connection;
    }
    if (previous) previous->close();  // the newest connection of a station wins
    bridge.station_connected(station_id);
  }

  void detach(const std::string& station_id, const Connection* connection) {
    bool gone = false;
    {
      std::lock_guard lock(mutex);
      auto it = stations.find(station_id);
      if (it != stations.end()) {
        auto current = it->second.lock();
        if (!current || current.get() == connection) {
          stations.erase(it);
          gone = true;
        }
      }
    }
    if (gone) bridge.station_disconnected(station_id);  // not when a newer connection replaced this one
  }

  std::shared_ptr<Connection> find(const std::string& station_id) const {
    std::lock_guard lock(mutex);
    auto it = stations.find(station_id);
    return it == stations.end() ? nullptr : it->second.lock();
  }
};

namespace {

template <class Stream>
class WsConnection final : public Connection, public std::enable_shared_from_this<WsConnection<Stream>> {
 public:
  WsConnection(Stream&& stream, std::shared_ptr<detail::OcppServerState> impl, std::string station_id,
               ocpp::rpc::ProtocolVersion version)
      : ws_(std::move(stream)),
        impl_(std::move(impl)),
        station_id_(std::move(station_id)),
        session_(station_id_, version, impl_->bridge, impl_->options.call_timeout),
        timer_(ws_.get_executor()),
        throttle_(ws_.get_executor()),
        bucket_(impl_->options.station_rate_per_s, impl_->options.station_burst) {}

  void accept(http::request<http::string_body> request) {
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));  // pings when idle
    std::string protocol(ocpp::rpc::subprotocol(session_.version()));
    ws_.set_option(websocket::stream_base::decorator([protocol](websocket::response_type& response) {
      response.set(http::field::sec_websocket_protocol, protocol);
      response.set(http::field::server, "voltpool");
    }));
    ws_.read_message_max(1 << 20);
    ws_.async_accept(request, [self = this->shared_from_this()](beast::error_code ec) {
      if (ec) return;
      spdlog::info("station {} connected ({})", self->station_id_, ocpp::rpc::subprotocol(self->session_.version()));
      self->impl_->attach(self->station_id_, self);
      self->send_fail_safe();
      self->read();
    });
  }

  void send(ocpp::Command command, ocpp::rpc::Endpoint::ResultHandler on_result) override {
    net::post(ws_.get_executor(), [self = this->shared_from_this(), command = std::move(command),
                                   on_result = std::move(on_result)]() mutable {
      if (self->closed_) {
        on_result({false, {}, "station disconnected"});
        return;
      }
      std::vector<std::string> out;
      self->session_.send(std::move(command), std::move(on_result), steady_now(), out);
      self->enqueue(std::move(out));
      self->arm_timer();
    });
  }

  void close() override {
    net::post(ws_.get_executor(), [self = this->shared_from_this()] {
      if (self->closed_) return;
      self->ws_.async_close(websocket::close_code::normal, [self](beast::error_code) { self->closed(); });
    });
  }

  const ocpp::ProtocolBlocks& blocks() const override { return session_.blocks(); }

 private:
  // The fail-safe TxDefaultProfile (profile id 1 on every connector), set in advance of any outage.
  void send_fail_safe() {
    if (!impl_->options.fail_safe_kw) return;
    std::string id = station_id_;
    send(blocks().set_default_profile(kFailSafeProfileId, *impl_->options.fail_safe_kw * 1000.0, ocpp::utc_now()),
         [id](const CallOutcome& o) {
           if (!o.ok || !ocpp::ProtocolBlocks::accepted(o.payload))
             spdlog::warn("station {} did not accept its fail-safe default profile: {}", id,
                          o.ok ? o.payload.dump() : o.error);
         });
  }

  void read() {
    ws_.async_read(buffer_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        self->closed();
        return;
      }
      std::string text = beast::buffers_to_string(self->buffer_.data());
      self->buffer_.consume(self->buffer_.size());
      self->impl_->messages_in++;
      std::vector<std::string> out;
      self->session_.receive(text, steady_now(), out);
      self->enqueue(std::move(out));
      self->arm_timer();
      auto wait = self->bucket_.take(steady_now());
      if (wait == TokenBucket::Clock::duration::zero()) return self->read();
      self->impl_->messages_throttled++;  // over its rate: its next message waits (TCP backpressure)
      self->throttle_.expires_after(wait);
      self->throttle_.async_wait([self](beast::error_code wait_error) {
        if (!wait_error && !self->closed_) self->read();
      });
    });
  }

  void enqueue(std::vector<std::string> texts) {
    if (closed_) return;
    auto self = this->shared_from_this();
    outbox_.send(ws_, std::move(texts), self, [self] { self->impl_->messages_out++; }, [self] { self->closed(); });
  }

  void arm_timer() {
    auto deadline = session_.deadline();
    if (!deadline || closed_) return;
    timer_.expires_at(*deadline);
    timer_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
      if (ec) return;  // re-armed or cancelled
      std::vector<std::string> out;
      self->session_.tick(steady_now(), out);
      self->enqueue(std::move(out));
      self->arm_timer();
    });
  }

  void closed() {
    if (closed_) return;
    closed_ = true;
    timer_.cancel();
    throttle_.cancel();
    session_.disconnected();
    impl_->detach(station_id_, this);
    spdlog::info("station {} disconnected", station_id_);
  }

  websocket::stream<Stream> ws_;
  std::shared_ptr<detail::OcppServerState> impl_;
  std::string station_id_;
  ocpp::StationSession session_;
  net::steady_timer timer_;
  net::steady_timer throttle_;
  TokenBucket bucket_;
  beast::flat_buffer buffer_;
  TextOutbox outbox_;
  bool closed_ = false;
};

// Reads the HTTP request of a new connection and either upgrades it to an OCPP WebSocket or answers it.
template <class Stream>
class HttpExchange : public std::enable_shared_from_this<HttpExchange<Stream>> {
 public:
  HttpExchange(Stream&& stream, std::shared_ptr<detail::OcppServerState> impl) : stream_(std::move(stream)), impl_(std::move(impl)) {}

  // Reads one request; REST requests on a kept-alive connection come back here for the next.
  void run() {
    parser_.emplace();
    parser_->body_limit(1 << 20);
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(30));
    http::async_read(stream_, buffer_, *parser_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      if (!ec) self->route(self->parser_->release());
    });
  }

 private:
  void route(http::request<http::string_body> request) {
    if (!websocket::is_upgrade(request)) {
      HttpResponse r = impl_->api.handle({std::string(request.method_string()), std::string(request.target()),
                                          std::string(request[http::field::authorization]), request.body()});
      return reply(static_cast<http::status>(r.status), std::move(r.body), r.content_type, request.keep_alive());
    }
    auto station_id = station_id_of(request.target());
    if (!station_id) return refuse(http::status::not_found, "OCPP endpoint is /ocpp/STATION_ID");
    auto station = impl_->store.station(*station_id);
    if (!station || station->password_hash.empty())
      return refuse(http::status::not_found, fmt::format("station '{}' is not provisioned", *station_id));
    // Security profile 1/2 (OCPP 2.0.1 A00.FR.201-206): HTTP Basic, username = the station's identity.
    auto credentials = parse_basic_auth(request[http::field::authorization]);
    if (!credentials || credentials->user != *station_id ||
        !impl_->credentials_ok(*station_id, station->password_hash, credentials->password))
      return refuse(http::status::unauthorized, fmt::format("bad credentials for station '{}'", *station_id));
    auto version = ocpp::rpc::negotiate(request[http::field::sec_websocket_protocol]);
    if (!version)
      return refuse(http::status::bad_request,
                    fmt::format("no OCPP subprotocol voltpool speaks among '{}' (ocpp2.1, ocpp2.0.1, ocpp1.6)",
                                std::string(request[http::field::sec_websocket_protocol])));
    auto connection = std::make_shared<WsConnection<Stream>>(std::move(stream_), impl_, *station_id, *version);
    connection->accept(std::move(request));
  }

  void refuse(http::status status, std::string reason) {
    impl_->refused++;
    spdlog::warn("refused a station connection: {}", reason);
    reply(status, reason + "\n", "text/plain", false, true);
  }

  void reply(http::status status, std::string body, const std::string& content_type, bool keep_alive,
             bool station_refused = false) {
    response_ = {};
    response_.result(status);
    response_.version(11);
    response_.set(http::field::server, "voltpool");
    response_.set(http::field::content_type, content_type);
    if (status == http::status::unauthorized)
      response_.set(http::field::www_authenticate, station_refused ? "Basic realm=\"voltpool\"" : "Bearer");
    response_.keep_alive(keep_alive);
    response_.body() = std::move(body);
    response_.prepare_payload();
    http::async_write(stream_, response_, [self = this->shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
      if (!ec && keep_alive) return self->run();
      beast::error_code ignored;
      beast::get_lowest_layer(self->stream_).socket().shutdown(tcp::socket::shutdown_send, ignored);
    });
  }

  Stream stream_;
  std::shared_ptr<detail::OcppServerState> impl_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
};

}  // namespace

template <class Stream>
void detail::OcppServerState::serve_http(Stream stream) {
  std::make_shared<HttpExchange<Stream>>(std::move(stream), shared_from_this())->run();
}

void detail::OcppServerState::accept_next() {
  acceptor->async_accept(net::make_strand(ioc), [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
    if (self->stopping) return;
    if (!ec) {
      if (self->tls) {
        auto stream = std::make_shared<beast::ssl_stream<beast::tcp_stream>>(std::move(socket), *self->tls);
        beast::get_lowest_layer(*stream).expires_after(std::chrono::seconds(10));
        stream->async_handshake(ssl::stream_base::server, [self, stream](beast::error_code handshake_error) {
          if (!handshake_error) self->serve_http(std::move(*stream));
        });
      } else {
        self->serve_http(beast::tcp_stream(std::move(socket)));
      }
    }
    self->accept_next();
  });
}

OcppServer::OcppServer(ServerOptions options, ApiServices services) {
  services.remote = this;
  impl_ = std::make_shared<detail::OcppServerState>(std::move(options), services);
}

bool OcppServer::remote_stop(const std::string& station_id, const std::string& transaction_id) {
  auto connection = impl_->find(station_id);
  if (!connection) return false;
  connection->send(connection->blocks().remote_stop(transaction_id), [station_id, transaction_id](const CallOutcome& o) {
    spdlog::info("remote stop of {} at {}: {}", transaction_id, station_id, o.ok ? o.payload.dump() : o.error);
  });
  return true;
}

bool OcppServer::remote_start(const std::string& station_id, int evse_id, const std::string& id_token) {
  auto connection = impl_->find(station_id);
  if (!connection) return false;
  int remote_start_id = ++impl_->remote_starts;  // 2.x: the station names it in the transaction it starts
  connection->send(connection->blocks().remote_start(evse_id, id_token, remote_start_id),
                   [station_id, evse_id](const CallOutcome& o) {
                     spdlog::info("remote start at {} evse {}: {}", station_id, evse_id, o.ok ? o.payload.dump() : o.error);
                   });
  return true;
}

OcppServer::~OcppServer() { stop(); }

Result<unsigned short> OcppServer::start() {
  detail::OcppServerState& impl = *impl_;
  if (impl.options.tls_cert_file || impl.options.tls_key_file) {
    if (!impl.options.tls_cert_file || !impl.options.tls_key_file)
      return Error{"TLS needs both a certificate (--tls-cert) and a key (--tls-key)"};
    impl.tls.emplace(ssl::context::tls_server);
    impl.tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                          ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);  // OCPP requires TLS 1.2 or later
    beast::error_code ec;
    impl.tls->use_certificate_chain_file(*impl.options.tls_cert_file, ec);
    if (ec) return Error{fmt::format("TLS certificate {}: {}", *impl.options.tls_cert_file, ec.message())};
    impl.tls->use_private_key_file(*impl.options.tls_key_file, ssl::context::pem, ec);
    if (ec) return Error{fmt::format("TLS key {}: {}", *impl.options.tls_key_file, ec.message())};
  }
  beast::error_code ec;
  auto address = net::ip::make_address(impl.options.host, ec);
  if (ec) return Error{fmt::format("listen address '{}': {}", impl.options.host, ec.message())};
  tcp::endpoint endpoint{address, impl.options.port};
  impl.acceptor.emplace(impl.ioc);
  impl.acceptor->open(endpoint.protocol(), ec);
  if (!ec) impl.acceptor->set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) impl.acceptor->bind(endpoint, ec);
  if (!ec) impl.acceptor->listen(net::socket_base::max_listen_connections, ec);
  if (ec) return Error{fmt::format("cannot listen on {}:{}: {}", impl.options.host, impl.options.port, ec.message())};
  unsigned short port = impl.acceptor->local_endpoint().port();
  impl.bridge.set_sink(this);
  impl.accept_next();
  for (int i = 0; i < std::max(1, impl.options.threads); ++i) impl.threads.emplace_back([&impl] { impl.ioc.run(); });
  return port;
}

void OcppServer::stop() {
  detail::OcppServerState& impl = *impl_;
  if (impl.stopping.exchange(true)) return;
  impl.bridge.set_sink(nullptr);
  net::post(impl.ioc, [&impl] {
    beast::error_code ignored;
    if (impl.acceptor) impl.acceptor->close(ignored);
  });
  std::vector<std::shared_ptr<Connection>> open;
  {
    std::lock_guard lock(impl.mutex);
    for (auto& [id, weak] : impl.stations)
      if (auto c = weak.lock()) open.push_back(c);
  }
  for (auto& c : open) c->close();
  // Give the close handshakes a moment, then stop the loop.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (std::chrono::steady_clock::now() < deadline) {
    {
      std::lock_guard lock(impl.mutex);
      if (impl.stations.empty()) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  impl.ioc.stop();
  for (auto& t : impl.threads)
    if (t.joinable()) t.join();
}

namespace {

// Times one re-plan's batch of profiles until every station answered (or failed).
struct PushBatch {
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  std::size_t size = 0;
  std::atomic<std::size_t> remaining{0};
};

void send_profile(const std::shared_ptr<detail::OcppServerState>& state, const std::shared_ptr<Connection>& connection,
                  ProfilePush push, std::function<void()> answered);

}  // namespace

void OcppServer::push_profiles(std::vector<ProfilePush> pushes) {
  auto batch = std::make_shared<PushBatch>();
  std::vector<std::pair<std::shared_ptr<Connection>, ProfilePush>> sendable;
  for (auto& p : pushes) {
    // A station that is not connected gets its schedule when it is back (FleetBridge::station_connected).
    if (auto connection = impl_->find(p.station_id)) sendable.emplace_back(std::move(connection), std::move(p));
  }
  batch->size = batch->remaining = sendable.size();
  std::weak_ptr<detail::OcppServerState> weak_impl = impl_;
  auto answered = [weak_impl, batch] {
    if (--batch->remaining != 0) return;
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - batch->started).count();
    if (auto impl = weak_impl.lock()) {
      std::lock_guard lock(impl->mutex);
      impl->last_batch_profiles = batch->size;
      impl->last_batch_ms = ms;
    }
    spdlog::info("{} profiles sent and answered in {:.1f} ms", batch->size, ms);
  };
  for (auto& [connection, p] : sendable) send_profile(impl_, connection, std::move(p), answered);
}

namespace {

void send_profile(const std::shared_ptr<detail::OcppServerState>& state, const std::shared_ptr<Connection>& connection,
                  ProfilePush push, std::function<void()> answered) {
  std::weak_ptr<detail::OcppServerState> weak_impl = state;
  std::weak_ptr<Connection> weak_connection = connection;
  const std::string& station_id = push.station_id;
  const std::string& transaction_id = push.transaction_id;
  int evse_id = push.evse_id;
  const ocpp::PowerSchedule& schedule = push.schedule;
  connection->send(
      connection->blocks().set_tx_profile(transaction_id, evse_id, push.profile_id, schedule),
      [weak_impl, weak_connection, station_id, transaction_id, evse_id, schedule, answered](const CallOutcome& outcome) {
        answered();
        auto impl = weak_impl.lock();
        auto conn = weak_connection.lock();
        if (!impl) return;
        if (!outcome.ok || !ocpp::ProtocolBlocks::accepted(outcome.payload)) {
          impl->profiles_rejected++;
          spdlog::warn("station {} did not accept the profile of transaction {}: {}", station_id, transaction_id,
                       outcome.ok ? outcome.payload.dump() : outcome.error);
          impl->bridge.profile_failed(station_id, transaction_id);
          return;
        }
        impl->profiles_accepted++;
        if (!conn) return;
        {
          // Once per transaction: it shows the station applies voltpool's profiles, without doubling the traffic.
          std::lock_guard lock(impl->mutex);
          if (!impl->read_back.insert({station_id, transaction_id}).second) return;
        }
        // K08: read the composite schedule back; it must follow what was sent from now on.
        int duration_s = std::min(schedule.duration_s, 24 * 3600);
        conn->send(conn->blocks().get_composite_schedule(evse_id, duration_s),
                   [weak_impl, weak_connection, station_id, schedule](const CallOutcome& read_back) {
                     auto impl = weak_impl.lock();
                     auto conn = weak_connection.lock();
                     if (!impl || !conn || !read_back.ok) return;
                     auto composite = conn->blocks().composite_schedule(read_back.payload);
                     if (!composite || composite->periods.empty()) return;
                     bool follows = true;
                     auto sent_limit_at = [&](UtcTime t) {
                       double limit = 0;
                       for (const auto& p : schedule.periods)
                         if (schedule.start + std::chrono::seconds(p.start_offset_s) <= t) limit = std::max(0.0, p.limit_w);
                       return limit;
                     };
                     for (const auto& p : composite->periods) {
                       UtcTime t = composite->start + std::chrono::seconds(p.start_offset_s);
                       if (std::abs(sent_limit_at(t) - p.limit_w) > 1.0) follows = false;
                     }
                     if (follows)
                       impl->schedules_verified++;
                     else
                       spdlog::warn("station {}: composite schedule differs from the profile sent", station_id);
                   });
      });
}

}  // namespace

ServerStats OcppServer::stats() const {
  ServerStats s;
  {
    std::lock_guard lock(impl_->mutex);
    s.connections = impl_->stations.size();
  }
  s.refused = impl_->refused;
  s.messages_in = impl_->messages_in;
  s.messages_throttled = impl_->messages_throttled;
  s.messages_out = impl_->messages_out;
  s.profiles_accepted = impl_->profiles_accepted;
  s.profiles_rejected = impl_->profiles_rejected;
  s.schedules_verified = impl_->schedules_verified;
  std::lock_guard lock(impl_->mutex);
  s.last_batch_profiles = impl_->last_batch_profiles;
  s.last_batch_ms = impl_->last_batch_ms;
  return s;
}

}  // namespace voltpool::server
