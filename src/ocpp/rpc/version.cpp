#include "ocpp/rpc/version.hpp"

#include "ocpp/generated/v16.hpp"
#include "ocpp/generated/v201.hpp"
#include "ocpp/generated/v21.hpp"

namespace voltpool::ocpp::rpc {

std::string_view subprotocol(ProtocolVersion version) {
  switch (version) {
    case ProtocolVersion::ocpp16: return "ocpp1.6";
    case ProtocolVersion::ocpp201: return "ocpp2.0.1";
    case ProtocolVersion::ocpp21: return "ocpp2.1";
  }
  return {};
}

std::optional<ProtocolVersion> version_of_subprotocol(std::string_view token) {
  for (auto v : {ProtocolVersion::ocpp16, ProtocolVersion::ocpp201, ProtocolVersion::ocpp21})
    if (token == subprotocol(v)) return v;
  return std::nullopt;
}

std::optional<ProtocolVersion> negotiate(std::string_view offered) {
  while (!offered.empty()) {
    auto comma = offered.find(',');
    std::string_view token = offered.substr(0, comma);
    while (!token.empty() && (token.front() == ' ' || token.front() == '\t')) token.remove_prefix(1);
    while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
    if (auto v = version_of_subprotocol(token)) return v;
    if (comma == std::string_view::npos) break;
    offered.remove_prefix(comma + 1);
  }
  return std::nullopt;
}

const SchemaSet& schemas(ProtocolVersion version) {
  switch (version) {
    case ProtocolVersion::ocpp16: return v16::schemas();
    case ProtocolVersion::ocpp201: return v201::schemas();
    case ProtocolVersion::ocpp21: return v21::schemas();
  }
  return v201::schemas();
}

std::string_view error_code(ProtocolVersion version, RpcError error) {
  const bool v16 = version == ProtocolVersion::ocpp16;
  switch (error) {
    case RpcError::format: return v16 ? "FormationViolation" : "FormatViolation";
    case RpcError::frame: return v16 ? "FormationViolation" : "RpcFrameworkError";
    case RpcError::message_type: return v16 ? "ProtocolError" : "MessageTypeNotSupported";
    case RpcError::not_implemented: return "NotImplemented";
    case RpcError::not_supported: return "NotSupported";
    case RpcError::protocol: return "ProtocolError";
    case RpcError::property_constraint: return "PropertyConstraintViolation";
    case RpcError::occurrence_constraint: return v16 ? "OccurenceConstraintViolation" : "OccurrenceConstraintViolation";
    case RpcError::type_constraint: return "TypeConstraintViolation";
    case RpcError::security: return "SecurityError";
    case RpcError::internal: return "InternalError";
    case RpcError::generic: return "GenericError";
  }
  return "GenericError";
}

RpcError rpc_error(Violation violation) {
  switch (violation) {
    case Violation::type: return RpcError::type_constraint;
    case Violation::occurrence: return RpcError::occurrence_constraint;
    case Violation::property: return RpcError::property_constraint;
    case Violation::format: return RpcError::format;
  }
  return RpcError::generic;
}

RpcError rpc_error(FrameProblem problem) {
  switch (problem) {
    case FrameProblem::not_json: return RpcError::frame;
    case FrameProblem::not_rpc: return RpcError::frame;
    case FrameProblem::unknown_type: return RpcError::message_type;
    case FrameProblem::bad_shape: return RpcError::frame;
  }
  return RpcError::generic;
}

}  // namespace voltpool::ocpp::rpc
