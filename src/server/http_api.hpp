// The REST API of the service, without I/O: a request in, a response out. JSON resources under /api/ for
// operators (everything) and owners (only their own sessions: another owner's data is 404), bearer tokens issued by
// `voltpool tokens create`; /healthz, /metrics (Prometheus text) and /openapi.json need no token. The Beast server
// (ocpp_server.cpp) serves it on the OCPP port. Thread-safe.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "server/fleet_bridge.hpp"
#include "settle/settlement.hpp"
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

// Remote control of a transaction through its station (OCPP 1.6 RemoteStopTransaction / 2.x
// RequestStopTransaction). Returns false when the station is not connected.
class RemoteControl {
 public:
  virtual ~RemoteControl() = default;
  virtual bool remote_stop(const std::string& station_id, const std::string& transaction_id) = 0;
};

struct Route {
  std::string method;
  std::string path;  // OpenAPI form, e.g. /api/sessions/{id}/meter-values
};

class HttpApi {
 public:
  // `metrics` returns extra Prometheus lines (the transport's counters).
  HttpApi(store::Store& store, FleetBridge& bridge, RemoteControl* remote, std::function<std::string()> metrics,
          settle::SettlementTerms terms = {});

  HttpResponse handle(const HttpRequest& request) const;

  // Every route served, as /openapi.json documents it (a test checks the two agree).
  static const std::vector<Route>& routes();
  // The OpenAPI 3 document (docs/openapi.json, embedded at build time).
  static std::string_view openapi_json();

 private:
  store::Store& store_;
  FleetBridge& bridge_;
  RemoteControl* remote_;
  std::function<std::string()> metrics_;
  settle::SettlementTerms terms_;

  HttpResponse earnings(const std::string& owner_id) const;
};

}  // namespace voltpool::server
