// The OCPP-J endpoint of the service: a WebSocket server (Boost.Beast) at ws[s]://HOST:PORT/ocpp/STATION_ID.
// Before the upgrade it checks that the station is provisioned, its HTTP Basic credentials (security profile
// 1; profile 2 adds TLS), and that it offers a subprotocol voltpool speaks (ocpp2.1, ocpp2.0.1, ocpp1.6; the
// chosen one is echoed). Each connection runs on its own strand of a shared thread pool; a reconnecting station
// replaces its old connection. Plain HTTP requests go to the REST API (http_api.hpp). Thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "core/result.hpp"
#include "server/fleet_bridge.hpp"
#include "server/http_api.hpp"
#include "store/store.hpp"

namespace voltpool::server {

namespace detail {
struct OcppServerState;  // ocpp_server.cpp
}

struct ServerOptions {
  std::string host = "127.0.0.1";
  unsigned short port = 8180;  // 0: any free port (start() says which)
  int threads = 2;
  std::chrono::milliseconds call_timeout{30'000};  // an unanswered CALL to a station fails after this
  std::optional<std::string> tls_cert_file;  // PEM; with tls_key_file: wss:// only (security profile 2)
  std::optional<std::string> tls_key_file;
  // Sent to every station as it connects: a TxDefaultProfile with this limit, in force whenever no TxProfile is
  // (e.g. while voltpool is unreachable), so the fleet fails safe. Nothing: no default profile.
  std::optional<double> fail_safe_kw;
  // Messages a second each station may send (0: no limit), and how many at once: beyond it the station's next
  // message is read only when it is its turn (backpressure, nothing refused).
  double station_rate_per_s = 50;
  double station_burst = 200;
};

struct ServerStats {
  std::size_t connections = 0;       // open station connections now
  std::size_t refused = 0;           // upgrades refused (unknown station, bad credentials, no subprotocol)
  std::size_t messages_in = 0, messages_out = 0;
  std::size_t messages_throttled = 0;  // messages read late because their station was over its rate
  std::size_t profiles_accepted = 0, profiles_rejected = 0;
  std::size_t schedules_verified = 0;  // composite schedules read back that match the profile sent
  std::size_t last_batch_profiles = 0;  // the last re-plan's profiles, all answered in last_batch_ms
  double last_batch_ms = 0;
};

class OcppServer final : public ProfileSink, public RemoteControl {
 public:
  // `services`: the store, the bridge and the rest the REST API serves (their `remote` is this server).
  OcppServer(ServerOptions options, ApiServices services);
  ~OcppServer() override;
  OcppServer(const OcppServer&) = delete;
  OcppServer& operator=(const OcppServer&) = delete;

  // Binds and starts serving; returns the port bound, or an error naming the address.
  Result<unsigned short> start();
  // Closes the listener and every connection, then joins the threads. Idempotent.
  void stop();

  // Sends each TxProfile, then (once per transaction) reads the composite schedule back to check the station
  // applied it (K08). Logs how long the whole batch took to be answered.
  void push_profiles(std::vector<ProfilePush> batch) override;

  ServerStats stats() const;

  // RemoteControl: 1.6 RemoteStopTransaction / 2.x RequestStopTransaction through the station's connection.
  bool remote_stop(const std::string& station_id, const std::string& transaction_id) override;
  bool remote_start(const std::string& station_id, int evse_id, const std::string& id_token) override;

 private:
  std::shared_ptr<detail::OcppServerState> impl_;
};

}  // namespace voltpool::server
