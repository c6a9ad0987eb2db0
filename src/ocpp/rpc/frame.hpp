// OCPP-J framing (OCPP-J 1.6 §4, OCPP 2.0.1 Part 4 §4): CALL [2,id,action,payload], CALLRESULT [3,id,payload],
// CALLERROR [4,id,code,description,details]; 2.1 adds CALLRESULTERROR [5,...] and SEND [6,id,action,payload].
// Parsing and writing only; which errors a version names how is in version.hpp.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>

namespace voltpool::ocpp::rpc {

enum class MessageType { call = 2, call_result = 3, call_error = 4, call_result_error = 5, send = 6 };

struct Frame {
  MessageType type = MessageType::call;
  std::string message_id;
  std::string action;          // call and send
  nlohmann::json payload;      // call, send and call_result
  std::string error_code;      // call_error and call_result_error
  std::string error_description;
  nlohmann::json error_details;
};

enum class FrameProblem {
  not_json,          // the text does not parse as JSON
  not_rpc,           // not an array starting with a message type number and a message id
  unknown_type,      // a message type number the protocol version does not define
  bad_shape,         // right type number, wrong number or types of elements
};

struct FrameError {
  FrameProblem problem;
  std::string message_id;  // "-1" when it could not be read (OCPP 2.0.1 Part 4 §4.2.3)
  bool is_call;            // only a CALL (or unreadable frame) is answered with CALLERROR
  std::string description;
};

// `allow_v21_types`: accept message types 5 and 6 (OCPP 2.1 only).
std::variant<Frame, FrameError> parse_frame(std::string_view text, bool allow_v21_types);

std::string write_call(std::string_view message_id, std::string_view action, const nlohmann::json& payload);
std::string write_call_result(std::string_view message_id, const nlohmann::json& payload);
std::string write_call_error(std::string_view message_id, std::string_view code, std::string_view description,
                             const nlohmann::json& details = nlohmann::json::object());

}  // namespace voltpool::ocpp::rpc
