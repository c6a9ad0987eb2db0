#include "ocpp/rpc/schema.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace voltpool::ocpp::rpc {

const MessageSchema* SchemaSet::find(std::string_view action, bool is_request) const {
  auto it = std::lower_bound(messages.begin(), messages.end(), std::pair{action, is_request},
                             [](const MessageSchema& m, const std::pair<std::string_view, bool>& key) {
                               return std::pair{m.action, m.is_request} < key;
                             });
  if (it == messages.end() || it->action != action || it->is_request != is_request) return nullptr;
  return &*it;
}

namespace {

bool digits(std::string_view s, std::size_t from, std::size_t count) {
  if (from + count > s.size()) return false;
  return std::all_of(s.begin() + from, s.begin() + from + count, [](char c) { return c >= '0' && c <= '9'; });
}

std::uint8_t json_type(const nlohmann::json& v) {
  switch (v.type()) {
    case nlohmann::json::value_t::string: return kJsonString;
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned: return kJsonInteger | kJsonNumber;
    case nlohmann::json::value_t::number_float: {
      double x = v.get<double>();
      return std::isfinite(x) && x == std::floor(x) ? (kJsonInteger | kJsonNumber) : kJsonNumber;
    }
    case nlohmann::json::value_t::boolean: return kJsonBoolean;
    case nlohmann::json::value_t::object: return kJsonObject;
    case nlohmann::json::value_t::array: return kJsonArray;
    default: return kJsonNull;
  }
}

std::string type_names(std::uint8_t types) {
  std::string out;
  for (auto [bit, name] : {std::pair{kJsonString, "string"}, {kJsonInteger, "integer"}, {kJsonNumber, "number"},
                           {kJsonBoolean, "boolean"}, {kJsonObject, "object"}, {kJsonArray, "array"},
                           {kJsonNull, "null"}}) {
    if (bit == kJsonInteger && (types & kJsonNumber)) continue;
    if (types & bit) out += (out.empty() ? "" : " or ") + std::string(name);
  }
  return out;
}

class Validator {
 public:
  explicit Validator(const SchemaSet& set) : set_(set) {}

  std::optional<SchemaError> check(std::uint32_t index, const nlohmann::json& value, const std::string& path) {
    const SchemaNode& node = set_.nodes[index];
    const std::string field = path.empty() ? "payload" : "'" + path + "'";
    if (!(json_type(value) & node.types))
      return SchemaError{Violation::type, path, fmt::format("{} must be {}, got {}", field, type_names(node.types),
                                                            value.dump().substr(0, 60))};
    if (node.enum_count > 0 && value.is_string()) {
      auto values = set_.enum_values.subspan(node.first_enum, node.enum_count);
      if (std::find(values.begin(), values.end(), value.get_ref<const std::string&>()) == values.end())
        return SchemaError{Violation::property, path,
                           fmt::format("{} must be one of {}, got {}", field, fmt::join(values, "|"), value.dump())};
    }
    if (value.is_string()) {
      const auto& text = value.get_ref<const std::string&>();
      if (node.max_length >= 0 && text.size() > static_cast<std::size_t>(node.max_length))
        return SchemaError{Violation::property, path,
                           fmt::format("{} is {} characters, at most {} allowed", field, text.size(), node.max_length)};
      if (node.date_time && !is_date_time(text))
        return SchemaError{Violation::format, path,
                           fmt::format("{} must be an RFC 3339 date-time, got {}", field, value.dump())};
    }
    if (value.is_number()) {
      double x = value.get<double>();
      if (!std::isnan(node.minimum) && x < node.minimum)
        return SchemaError{Violation::property, path, fmt::format("{} must be >= {}, got {}", field, node.minimum, x)};
      if (!std::isnan(node.maximum) && x > node.maximum)
        return SchemaError{Violation::property, path, fmt::format("{} must be <= {}, got {}", field, node.maximum, x)};
      if (!std::isnan(node.multiple_of) && node.multiple_of > 0) {
        double q = x / node.multiple_of;
        if (std::abs(q - std::round(q)) > 1e-9 * std::max(1.0, std::abs(q)))
          return SchemaError{Violation::property, path,
                             fmt::format("{} must be a multiple of {}, got {}", field, node.multiple_of, x)};
      }
    }
    if (value.is_array()) {
      std::int64_t n = static_cast<std::int64_t>(value.size());
      if ((node.min_items >= 0 && n < node.min_items) || (node.max_items >= 0 && n > node.max_items))
        return SchemaError{Violation::occurrence, path,
                           fmt::format("{} has {} items, expected {}..{}", field, n, std::max(node.min_items, 0),
                                       node.max_items < 0 ? std::string("any") : std::to_string(node.max_items))};
      if (node.items >= 0) {
        for (std::size_t i = 0; i < value.size(); ++i)
          if (auto e = check(static_cast<std::uint32_t>(node.items), value[i], path + "/" + std::to_string(i))) return e;
      }
    }
    if (value.is_object()) {
      auto properties = set_.properties.subspan(node.first_property, node.property_count);
      for (const SchemaProperty& p : properties) {
        auto it = value.find(std::string(p.name));
        std::string child = path + "/" + std::string(p.name);
        if (it == value.end()) {
          if (p.required)
            return SchemaError{Violation::occurrence, child, fmt::format("required field '{}' is missing", child)};
          continue;
        }
        if (auto e = check(p.node, *it, child)) return e;
      }
      if (node.closed) {
        for (auto it = value.begin(); it != value.end(); ++it) {
          bool known = std::any_of(properties.begin(), properties.end(),
                                   [&](const SchemaProperty& p) { return p.name == it.key(); });
          if (!known)
            return SchemaError{Violation::property, path + "/" + it.key(),
                               fmt::format("field '{}/{}' is not allowed here", path, it.key())};
        }
      }
    }
    return std::nullopt;
  }

 private:
  const SchemaSet& set_;
};

}  // namespace

std::optional<SchemaError> validate(const SchemaSet& set, std::uint32_t root, const nlohmann::json& payload) {
  return Validator(set).check(root, payload, "");
}

bool is_date_time(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)
  if (!(digits(s, 0, 4) && s.size() > 19 && s[4] == '-' && digits(s, 5, 2) && s[7] == '-' && digits(s, 8, 2) &&
        (s[10] == 'T' || s[10] == 't') && digits(s, 11, 2) && s[13] == ':' && digits(s, 14, 2) && s[16] == ':' &&
        digits(s, 17, 2)))
    return false;
  int month = (s[5] - '0') * 10 + (s[6] - '0'), day = (s[8] - '0') * 10 + (s[9] - '0');
  int hour = (s[11] - '0') * 10 + (s[12] - '0'), minute = (s[14] - '0') * 10 + (s[15] - '0');
  int second = (s[17] - '0') * 10 + (s[18] - '0');
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return false;
  std::size_t i = 19;
  if (i < s.size() && s[i] == '.') {
    std::size_t start = ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == start) return false;
  }
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) return i + 1 == s.size();
  if (i < s.size() && (s[i] == '+' || s[i] == '-'))
    return i + 6 == s.size() && digits(s, i + 1, 2) && s[i + 3] == ':' && digits(s, i + 4, 2);
  return false;
}

}  // namespace voltpool::ocpp::rpc
