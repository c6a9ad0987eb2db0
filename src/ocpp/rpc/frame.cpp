#include "ocpp/rpc/frame.hpp"

namespace voltpool::ocpp::rpc {

namespace {

// The description of a CALLERROR is limited to 255 characters in OCPP 2.0.1; keep to it for every version.
std::string clipped(std::string_view text) { return std::string(text.substr(0, 255)); }

}  // namespace

std::variant<Frame, FrameError> parse_frame(std::string_view text, bool allow_v21_types) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded()) return FrameError{FrameProblem::not_json, "-1", true, "message is not valid JSON"};
  if (!j.is_array() || j.size() < 3 || !j[0].is_number_integer())
    return FrameError{FrameProblem::not_rpc, "-1", true,
                      "message must be a JSON array [MessageTypeId, MessageId, ...]"};
  std::string id = j[1].is_string() ? j[1].get<std::string>() : "-1";
  if (!j[1].is_string() || id.empty() || id.size() > 36)
    return FrameError{FrameProblem::not_rpc, "-1", true, "MessageId must be a string of 1 to 36 characters"};
  int type = j[0].get<int>();
  bool known = type >= 2 && type <= 4 ? true : (allow_v21_types && (type == 5 || type == 6));
  if (!known)
    return FrameError{FrameProblem::unknown_type, id, true, "MessageTypeId " + std::to_string(type) + " is not supported"};
  Frame f;
  f.type = static_cast<MessageType>(type);
  f.message_id = id;
  switch (f.type) {
    case MessageType::call:
    case MessageType::send:
      if (j.size() != 4 || !j[2].is_string() || j[2].get<std::string>().empty())
        return FrameError{FrameProblem::bad_shape, id, f.type == MessageType::call,
                          "CALL must be [2, MessageId, Action, Payload] with Action a non-empty string"};
      f.action = j[2].get<std::string>();
      f.payload = std::move(j[3]);
      break;
    case MessageType::call_result:
      if (j.size() != 3)
        return FrameError{FrameProblem::bad_shape, id, false, "CALLRESULT must be [3, MessageId, Payload]"};
      f.payload = std::move(j[2]);
      break;
    case MessageType::call_error:
    case MessageType::call_result_error:
      if (j.size() != 5 || !j[2].is_string() || !j[3].is_string())
        return FrameError{FrameProblem::bad_shape, id, false,
                          "CALLERROR must be [4, MessageId, ErrorCode, ErrorDescription, ErrorDetails]"};
      f.error_code = j[2].get<std::string>();
      f.error_description = j[3].get<std::string>();
      f.error_details = std::move(j[4]);
      break;
  }
  return f;
}

std::string write_call(std::string_view message_id, std::string_view action, const nlohmann::json& payload) {
  return nlohmann::json::array({2, message_id, action, payload}).dump();
}

std::string write_call_result(std::string_view message_id, const nlohmann::json& payload) {
  return nlohmann::json::array({3, message_id, payload}).dump();
}

std::string write_call_error(std::string_view message_id, std::string_view code, std::string_view description,
                             const nlohmann::json& details) {
  return nlohmann::json::array({4, message_id, code, clipped(description), details}).dump();
}

}  // namespace voltpool::ocpp::rpc
