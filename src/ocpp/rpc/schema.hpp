// Validation tables for OCPP messages, generated at build time from the official JSON schemas
// (tools/ocpp_codegen), and the validator that checks a payload against them.
// Only the draft-07 keywords the OCPP schemas use are represented: type, properties, required,
// additionalProperties, enum, items, minItems, maxItems, maxLength, minimum, maximum, multipleOf, format date-time.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace voltpool::ocpp::rpc {

constexpr std::uint8_t kJsonString = 1, kJsonInteger = 2, kJsonNumber = 4, kJsonBoolean = 8, kJsonObject = 16,
                       kJsonArray = 32, kJsonNull = 64, kJsonAny = 127;

struct SchemaNode {
  std::uint8_t types;            // bit set of kJson*; a number accepts integers too
  bool closed;                   // additionalProperties: false
  bool date_time;                // format: date-time
  std::uint32_t first_property;  // into SchemaSet::properties
  std::uint32_t property_count;
  std::uint32_t first_enum;  // into SchemaSet::enum_values
  std::uint32_t enum_count;
  std::int32_t items;  // node of array items, -1 for none
  std::int32_t min_items, max_items, max_length;  // -1 for none
  double minimum, maximum, multiple_of;           // NaN for none
};

struct SchemaProperty {
  std::string_view name;
  std::uint32_t node;
  bool required;
};

struct MessageSchema {
  std::string_view action;
  bool is_request;  // CALL payload (true) or CALLRESULT payload (false)
  std::uint32_t root;
};

// All messages of one protocol version; `messages` is sorted by (action, is_request).
struct SchemaSet {
  std::span<const SchemaNode> nodes;
  std::span<const SchemaProperty> properties;
  std::span<const std::string_view> enum_values;
  std::span<const MessageSchema> messages;

  // The schema of `action`'s request or response, or nullptr when the version has no such message.
  const MessageSchema* find(std::string_view action, bool is_request) const;
};

// Why a payload does not match its schema; the protocol layer maps each kind to its version's error code.
enum class Violation {
  type,              // a value of the wrong JSON type (TypeConstraintViolation)
  occurrence,        // a required field missing, or an array with too few/many items (OccurrenceConstraintViolation)
  property,          // a value outside its enum, bounds or length, or an unknown field (PropertyConstraintViolation)
  format,            // a malformed date-time (FormatViolation / FormationViolation)
};

struct SchemaError {
  Violation violation;
  std::string path;     // JSON pointer of the offending field, e.g. /chargingProfile/chargingSchedule/0/id
  std::string message;  // names the field and what was expected
};

// Checks `payload` against node `root` of `set`; returns the first violation found, or nothing when it matches.
std::optional<SchemaError> validate(const SchemaSet& set, std::uint32_t root, const nlohmann::json& payload);

// RFC 3339 date-time as OCPP uses it: 2024-06-03T12:00:00Z, fractional seconds and offsets allowed.
bool is_date_time(std::string_view text);

}  // namespace voltpool::ocpp::rpc
