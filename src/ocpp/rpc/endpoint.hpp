// One side of an OCPP-J connection, without I/O: texts in, texts out. It answers every incoming CALL exactly
// once (schema-checked both ways, errors as the version's CALLERROR), keeps at most one outgoing CALL in
// flight (OCPP-J 1.6 §4.1.1, 2.0.1 Part 4 §4.1.1: queue the rest), matches results by message id and expires
// a CALL that got no answer in time. Not thread-safe: one connection drives it from one strand.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "ocpp/rpc/version.hpp"

namespace voltpool::ocpp::rpc {

using SteadyTime = std::chrono::steady_clock::time_point;

// What a handler answers to an incoming CALL: a response payload or an error.
struct Reply {
  nlohmann::json payload;           // used when !error
  std::optional<RpcError> error;
  std::string error_description;

  static Reply ok(nlohmann::json payload) { return Reply{std::move(payload), std::nullopt, {}}; }
  static Reply fail(RpcError error, std::string description) {
    return Reply{nlohmann::json::object(), error, std::move(description)};
  }
};

// The outcome of an outgoing CALL.
struct CallOutcome {
  bool ok = false;
  nlohmann::json payload;  // the CALLRESULT payload when ok (already schema-checked)
  std::string error;       // otherwise: CALLERROR code and description, "timeout", or the schema violation
  std::chrono::steady_clock::duration round_trip{};  // from sending the CALL to its answer (0 if never sent)
};

class Endpoint {
 public:
  using CallHandler = std::function<Reply(std::string_view action, const nlohmann::json& payload)>;
  using ResultHandler = std::function<void(const CallOutcome&)>;

  Endpoint(ProtocolVersion version, CallHandler handler, std::chrono::milliseconds call_timeout);

  ProtocolVersion version() const { return version_; }

  // Feeds one received text message; appends the texts to send, in order, to `out`.
  void receive(std::string_view text, SteadyTime now, std::vector<std::string>& out);

  // Queues an outgoing CALL (payload checked against its schema: a violation is a programming error and is
  // reported to `on_result` without sending). Appends the CALL to `out` when none is in flight.
  void call(std::string action, nlohmann::json payload, ResultHandler on_result, SteadyTime now,
            std::vector<std::string>& out);

  // Expires the in-flight CALL once its timeout has passed (its handler hears "timeout") and sends the next.
  void tick(SteadyTime now, std::vector<std::string>& out);

  // The connection is gone: every queued and in-flight CALL's handler hears `reason`.
  void abandon_all(const std::string& reason);

  // The time by which tick() must run next, if a CALL is in flight.
  std::optional<SteadyTime> deadline() const;

  std::size_t queued_calls() const { return queue_.size() + (in_flight_ ? 1 : 0); }

 private:
  struct PendingCall {
    std::string message_id;
    std::string action;
    nlohmann::json payload;
    ResultHandler on_result;
  };
  void answer_call(const struct Frame& frame, std::vector<std::string>& out);
  void finish_in_flight(const CallOutcome& outcome, SteadyTime now, std::vector<std::string>& out);
  void send_next(SteadyTime now, std::vector<std::string>& out);

  ProtocolVersion version_;
  const SchemaSet& schemas_;
  CallHandler handler_;
  std::chrono::milliseconds call_timeout_;
  std::deque<PendingCall> queue_;
  std::optional<PendingCall> in_flight_;
  SteadyTime in_flight_deadline_{};
  SteadyTime in_flight_sent_{};
  std::uint64_t next_id_ = 1;
};

}  // namespace voltpool::ocpp::rpc
