// The REST API of the service, without I/O: a request in, a response out. JSON resources under /api/ for
// operators (everything) and owners (only their own sessions: another owner's data is 404), bearer tokens issued by
// `voltpool tokens create`; /healthz, /metrics (Prometheus text) and /openapi.json need no token. The Beast server
// (ocpp_server.cpp) serves it on the OCPP port. Thread-safe.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "server/dispatch_loop.hpp"
#include "server/fleet_bridge.hpp"
#include "server/session_settler.hpp"
#include "server/signal_book.hpp"
#include "store/store.hpp"

namespace voltpool::server {

struct HttpRequest {
  std::string method;  // "GET", "POST"
  std::string target;  // path and query
  std::string authorization;
  std::string body;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

// Remote control through a station (OCPP 1.6 RemoteStart/StopTransaction, 2.x RequestStart/StopTransaction).
// Returns false when the station is not connected.
class RemoteControl {
 public:
  virtual ~RemoteControl() = default;
  virtual bool remote_stop(const std::string& station_id, const std::string& transaction_id) = 0;
  virtual bool remote_start(const std::string& station_id, int evse_id, const std::string& id_token) = 0;
};

struct Route {
  std::string method;
  std::string path;  // OpenAPI form, e.g. /api/sessions/{id}/meter-values
};

// The parts of the running service the API reads and drives.
struct ApiServices {
  store::Store& store;
  FleetBridge& bridge;
  SessionSettler& settler;
  SignalBook& signals;
  DispatchLoop& dispatch;
  RemoteControl* remote = nullptr;  // nothing: remote control is refused (409)
};

class HttpApi {
 public:
  // `metrics` returns extra Prometheus lines (the transport's counters).
  HttpApi(ApiServices services, std::function<std::string()> metrics);

  HttpResponse handle(const HttpRequest& request) const;

  // Every route served, as /openapi.json documents it (a test checks the two agree).
  static const std::vector<Route>& routes();
  // The OpenAPI 3 document (docs/openapi.json, embedded at build time).
  static std::string_view openapi_json();

 private:
  HttpResponse route(const HttpRequest& request) const;

  store::Store& store_;
  FleetBridge& bridge_;
  SessionSettler& settler_;
  SignalBook& signals_;
  DispatchLoop& dispatch_;
  RemoteControl* remote_;
  std::function<std::string()> metrics_;

  // api_money.cpp: an owner's settled sessions, intervals and ledger entries; the operator's whole ledger.
  HttpResponse put_station(const std::string& id, const std::string& body) const;
  HttpResponse start_charging(const std::string& station_id, const std::string& body) const;
  HttpResponse earnings(const std::string& owner_id, std::string_view query) const;
  HttpResponse ledger(std::string_view query) const;
  // api_signals.cpp: GET the prices or carbon signal in force, POST a series over it (operators).
  HttpResponse signal(SignalKind kind, const HttpRequest& request, bool operator_) const;
  // api_dispatch.cpp: GET the state, POST a regulation signal or demand-response event, DELETE to end it.
  HttpResponse dispatch(const HttpRequest& request, bool operator_) const;
  // api_vehicles.cpp: `owner` is the caller when an owner (else an operator).
  HttpResponse vehicles(const std::vector<std::string_view>& parts, const HttpRequest& request,
                        const std::optional<std::string>& owner) const;
};

}  // namespace voltpool::server
