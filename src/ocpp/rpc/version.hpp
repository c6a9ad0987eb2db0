// The OCPP protocol versions voltpool speaks, their WebSocket subprotocol names and their RPC error codes.
// 1.6 and 2.x name the same faults differently (1.6 keeps the specification's spellings
// "FormationViolation" and "OccurenceConstraintViolation").
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "ocpp/rpc/frame.hpp"
#include "ocpp/rpc/schema.hpp"

namespace voltpool::ocpp::rpc {

enum class ProtocolVersion { ocpp16, ocpp201, ocpp21 };

// "ocpp1.6", "ocpp2.0.1", "ocpp2.1": the Sec-WebSocket-Protocol token.
std::string_view subprotocol(ProtocolVersion version);
std::optional<ProtocolVersion> version_of_subprotocol(std::string_view token);

// Picks the first of the client's offered tokens (comma separated, in its order of preference) that voltpool
// speaks; nothing when none matches (the server then refuses the upgrade).
std::optional<ProtocolVersion> negotiate(std::string_view offered);

// The validation tables of a version's messages (generated from the official schemas).
const SchemaSet& schemas(ProtocolVersion version);

enum class RpcError {
  format,                 // payload or frame syntactically wrong
  frame,                  // not a valid RPC frame (message id unreadable, wrong shape)
  message_type,           // unknown MessageTypeId
  not_implemented,        // unknown action
  not_supported,          // known action this endpoint does not handle
  protocol,               // payload incomplete
  property_constraint,
  occurrence_constraint,
  type_constraint,
  security,               // e.g. a station acting as another
  internal,
  generic,
};

std::string_view error_code(ProtocolVersion version, RpcError error);
RpcError rpc_error(Violation violation);
RpcError rpc_error(FrameProblem problem);

}  // namespace voltpool::ocpp::rpc
