#include "ocpp/rpc/endpoint.hpp"

#include <fmt/format.h>

namespace voltpool::ocpp::rpc {

Endpoint::Endpoint(ProtocolVersion version, CallHandler handler, std::chrono::milliseconds call_timeout)
    : version_(version), schemas_(schemas(version)), handler_(std::move(handler)), call_timeout_(call_timeout) {}

void Endpoint::receive(std::string_view text, SteadyTime now, std::vector<std::string>& out) {
  auto parsed = parse_frame(text, version_ == ProtocolVersion::ocpp21);
  if (auto* problem = std::get_if<FrameError>(&parsed)) {
    // Only CALLs are answered; a broken CALLRESULT/CALLERROR cannot be answered (its sender waits for nothing).
    if (problem->is_call)
      out.push_back(write_call_error(problem->message_id, error_code(version_, rpc_error(problem->problem)),
                                     problem->description));
    return;
  }
  Frame& frame = std::get<Frame>(parsed);
  switch (frame.type) {
    case MessageType::call: answer_call(frame, out); return;
    case MessageType::send: return;  // 2.1 SEND: unconfirmed, nothing to answer
    case MessageType::call_result:
    case MessageType::call_error:
    case MessageType::call_result_error: break;
  }
  if (!in_flight_ || in_flight_->message_id != frame.message_id) return;  // late or unknown: the CALL is gone
  CallOutcome outcome;
  if (frame.type == MessageType::call_result) {
    const MessageSchema* schema = schemas_.find(in_flight_->action, false);
    auto violation = schema ? validate(schemas_, schema->root, frame.payload) : std::nullopt;
    outcome.ok = !violation;
    if (violation) outcome.error = std::string(error_code(version_, rpc_error(violation->violation))) + ": " + violation->message;
    outcome.payload = std::move(frame.payload);
  } else {
    outcome.error = frame.error_code + ": " + frame.error_description;
  }
  finish_in_flight(outcome, now, out);
}

void Endpoint::answer_call(const Frame& frame, std::vector<std::string>& out) {
  const MessageSchema* request = schemas_.find(frame.action, true);
  if (!request) {
    out.push_back(write_call_error(frame.message_id, error_code(version_, RpcError::not_implemented),
                                   fmt::format("action '{}' is not defined in {}", frame.action, subprotocol(version_))));
    return;
  }
  if (auto violation = validate(schemas_, request->root, frame.payload)) {
    out.push_back(write_call_error(frame.message_id, error_code(version_, rpc_error(violation->violation)),
                                   fmt::format("{}: {}", frame.action, violation->message),
                                   nlohmann::json{{"field", violation->path}}));
    return;
  }
  Reply reply;
  try {
    reply = handler_(frame.action, frame.payload);
  } catch (const std::exception& e) {
    // e.g. the store could not write: nothing is acknowledged, the station retries (InternalError).
    reply = Reply::fail(RpcError::internal, fmt::format("{} not processed: {}", frame.action, e.what()));
  }
  if (reply.error) {
    out.push_back(write_call_error(frame.message_id, error_code(version_, *reply.error), reply.error_description));
    return;
  }
  // Our own answer must match the schema too; a mismatch is a bug here, reported as InternalError.
  const MessageSchema* response = schemas_.find(frame.action, false);
  if (response) {
    if (auto violation = validate(schemas_, response->root, reply.payload)) {
      out.push_back(write_call_error(frame.message_id, error_code(version_, RpcError::internal),
                                     fmt::format("response to {} failed its schema: {}", frame.action, violation->message)));
      return;
    }
  }
  out.push_back(write_call_result(frame.message_id, reply.payload));
}

void Endpoint::call(std::string action, nlohmann::json payload, ResultHandler on_result, SteadyTime now,
                    std::vector<std::string>& out) {
  const MessageSchema* schema = schemas_.find(action, true);
  if (!schema) {
    on_result({false, {}, fmt::format("{} does not define {}", subprotocol(version_), action)});
    return;
  }
  if (auto violation = validate(schemas_, schema->root, payload)) {
    on_result({false, {}, fmt::format("{} request failed its schema: {}", action, violation->message)});
    return;
  }
  queue_.push_back({std::to_string(next_id_++), std::move(action), std::move(payload), std::move(on_result)});
  if (!in_flight_) send_next(now, out);
}

void Endpoint::tick(SteadyTime now, std::vector<std::string>& out) {
  if (in_flight_ && now >= in_flight_deadline_) finish_in_flight({false, {}, "timeout"}, now, out);
}

void Endpoint::abandon_all(const std::string& reason) {
  std::vector<PendingCall> pending;
  if (in_flight_) pending.push_back(std::move(*in_flight_));
  in_flight_.reset();
  for (auto& q : queue_) pending.push_back(std::move(q));
  queue_.clear();
  for (auto& p : pending)
    if (p.on_result) p.on_result({false, {}, reason});
}

std::optional<SteadyTime> Endpoint::deadline() const {
  if (!in_flight_) return std::nullopt;
  return in_flight_deadline_;
}

void Endpoint::finish_in_flight(const CallOutcome& outcome, SteadyTime now, std::vector<std::string>& out) {
  PendingCall done = std::move(*in_flight_);
  in_flight_.reset();
  CallOutcome timed = outcome;
  timed.round_trip = now - in_flight_sent_;
  if (done.on_result) done.on_result(timed);
  if (!in_flight_) send_next(now, out);  // the handler may itself have queued and sent a call
}

void Endpoint::send_next(SteadyTime now, std::vector<std::string>& out) {
  if (queue_.empty()) return;
  in_flight_ = std::move(queue_.front());
  queue_.pop_front();
  in_flight_deadline_ = now + call_timeout_;
  in_flight_sent_ = now;
  out.push_back(write_call(in_flight_->message_id, in_flight_->action, in_flight_->payload));
}

}  // namespace voltpool::ocpp::rpc
