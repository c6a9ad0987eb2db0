// One connected charging station as the CSMS sees it: the RPC endpoint of its connection and the functional
// blocks of the version it negotiated. Sans I/O (texts in, texts out) and not thread-safe: the transport drives
// it from the connection's strand.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ocpp/csms/protocol_blocks.hpp"
#include "ocpp/rpc/endpoint.hpp"

namespace voltpool::ocpp {

class StationSession {
 public:
  // `station_id` is the authenticated identity of the connection (from the URL path, checked by the transport).
  StationSession(std::string station_id, rpc::ProtocolVersion version, CsmsBackend& backend,
                 std::chrono::milliseconds call_timeout = std::chrono::seconds(30));

  const std::string& station_id() const { return station_id_; }
  rpc::ProtocolVersion version() const { return endpoint_.version(); }
  const ProtocolBlocks& blocks() const { return *blocks_; }

  // A received text message; the texts to send are appended to `out`.
  void receive(std::string_view text, rpc::SteadyTime now, std::vector<std::string>& out) {
    endpoint_.receive(text, now, out);
  }
  // Sends a command (one in flight at a time, the rest queued); `on_result` hears its outcome.
  void send(Command command, rpc::Endpoint::ResultHandler on_result, rpc::SteadyTime now, std::vector<std::string>& out) {
    endpoint_.call(std::move(command.action), std::move(command.payload), std::move(on_result), now, out);
  }
  void tick(rpc::SteadyTime now, std::vector<std::string>& out) { endpoint_.tick(now, out); }
  std::optional<rpc::SteadyTime> deadline() const { return endpoint_.deadline(); }
  void disconnected() { endpoint_.abandon_all("station disconnected"); }

 private:
  std::string station_id_;
  std::unique_ptr<ProtocolBlocks> blocks_;
  rpc::Endpoint endpoint_;
};

}  // namespace voltpool::ocpp
