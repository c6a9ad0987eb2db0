// Build-time generator: reads one OCPP JSON-schema bundle (the official schemas, as shipped in the npm package
// ocpp-rpc: a JSON array of draft-07 schemas with "$id": "urn:Action.req|.conf" or "urn:ActionRequest|Response")
// and writes, for one protocol version,
//   - flat validation tables for every message (src/ocpp/rpc/schema.hpp describes them), and
//   - C++ message types (structs, enum classes, nlohmann to_json/from_json) for the actions asked for.
// Usage: ocpp_codegen --schemas FILE --namespace v16 --actions A,B,C --header OUT.hpp --source OUT.cpp
#include <cmath>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace {

using Json = nlohmann::ordered_json;

struct Message {
  std::string action;
  bool is_request = true;
  Json schema;
};

std::string capitalized(std::string s) {
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}

std::string identifier(const std::string& text) {
  std::string id;
  for (char c : text) id += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  if (id.empty() || std::isdigit(static_cast<unsigned char>(id[0]))) id = "v" + id;
  return id;
}

std::string string_literal(const std::string& s) { return Json(s).dump(); }

std::string number_literal(double x) {
  std::ostringstream out;
  out.precision(17);
  out << x;
  std::string s = out.str();
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

// Parses "urn:Authorize.req", "urn:Authorize.conf", "urn:AuthorizeRequest", "urn:AuthorizeResponse".
bool parse_id(const std::string& id, Message& m) {
  std::string name = id.rfind("urn:", 0) == 0 ? id.substr(4) : id;
  auto ends = [&](const std::string& suffix) {
    return name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  for (auto [suffix, request] : {std::pair<std::string, bool>{".req", true}, {".conf", false}, {"Request", true},
                                 {"Response", false}}) {
    if (ends(suffix)) {
      m.action = name.substr(0, name.size() - suffix.size());
      m.is_request = request;
      return true;
    }
  }
  // OCPP 2.1 SEND messages (e.g. NotifyPeriodicEventStream) have a payload but no response.
  m.action = name;
  m.is_request = true;
  return !name.empty();
}

// ---- validation tables ----------------------------------------------------------------------------------------

class TableWriter {
 public:
  // Returns the node index of `schema` (definitions resolved against `definitions`), emitting it once.
  std::size_t node(const Json& schema_in, const Json& definitions) {
    const Json& schema = resolve(schema_in, definitions);
    std::string key = schema.dump();
    if (auto it = memo_.find(key); it != memo_.end()) return it->second;
    std::size_t index = nodes_.size();
    memo_[key] = index;
    nodes_.emplace_back();

    std::string types;
    if (schema.contains("type")) {
      std::vector<std::string> names;
      if (schema["type"].is_array())
        for (auto& t : schema["type"]) names.push_back(t.get<std::string>());
      else
        names.push_back(schema["type"].get<std::string>());
      for (auto& t : names) types += (types.empty() ? "" : " | ") + std::string("kJson") + capitalized(t);
    } else {
      types = "kJsonAny";
    }
    std::vector<std::string> property_rows;
    if (schema.contains("properties")) {
      std::set<std::string> required;
      if (schema.contains("required"))
        for (auto& r : schema["required"]) required.insert(r.get<std::string>());
      for (auto& [name, sub] : schema["properties"].items()) {
        std::size_t child = node(sub, definitions);
        property_rows.push_back("{" + string_literal(name) + ", " + std::to_string(child) + ", " +
                                (required.count(name) ? "true" : "false") + "}");
      }
    }
    // Required names that have no property schema still have to be present.
    if (schema.contains("required")) {
      for (auto& r : schema["required"]) {
        std::string name = r.get<std::string>();
        if (!schema.contains("properties") || !schema["properties"].contains(name))
          property_rows.push_back("{" + string_literal(name) + ", " + std::to_string(any_node()) + ", true}");
      }
    }
    std::size_t first_property = properties_.size();
    properties_.insert(properties_.end(), property_rows.begin(), property_rows.end());
    std::size_t first_enum = enums_.size();
    if (schema.contains("enum"))
      for (auto& e : schema["enum"]) enums_.push_back(string_literal(e.get<std::string>()));
    long items = schema.contains("items") ? static_cast<long>(node(schema["items"], definitions)) : -1;
    auto integer_or = [&](const char* key, long fallback) {
      return schema.contains(key) ? schema[key].get<long>() : fallback;
    };
    auto number_or_nan = [&](const char* key) {
      return schema.contains(key) ? number_literal(schema[key].get<double>()) : std::string("kNoBound");
    };
    bool closed = schema.contains("additionalProperties") && schema["additionalProperties"].is_boolean() &&
                  !schema["additionalProperties"].get<bool>();
    bool date_time = schema.contains("format") && schema["format"] == "date-time";
    std::ostringstream row;
    row << "{" << types << ", " << (closed ? "true" : "false") << ", " << (date_time ? "true" : "false") << ", "
        << first_property << ", " << property_rows.size() << ", " << first_enum << ", "
        << (enums_.size() - first_enum) << ", " << items << ", " << integer_or("minItems", -1) << ", "
        << integer_or("maxItems", -1) << ", " << integer_or("maxLength", -1) << ", " << number_or_nan("minimum")
        << ", " << number_or_nan("maximum") << ", " << number_or_nan("multipleOf") << "}";
    nodes_[index] = row.str();
    return index;
  }

  void write(std::ostream& out, const std::vector<Message>& messages, const std::vector<std::size_t>& roots) const {
    out << "namespace {\nusing namespace voltpool::ocpp::rpc;\nconstexpr double kNoBound = "
           "std::numeric_limits<double>::quiet_NaN();\n";
    out << "const SchemaNode kNodes[] = {\n";
    for (auto& n : nodes_) out << "  " << n << ",\n";
    out << "};\nconst SchemaProperty kProperties[] = {\n";
    for (auto& p : properties_) out << "  " << p << ",\n";
    if (properties_.empty()) out << "  {\"\", 0, false},\n";
    out << "};\nconst std::string_view kEnumValues[] = {\n";
    for (auto& e : enums_) out << "  " << e << ",\n";
    if (enums_.empty()) out << "  \"\",\n";
    out << "};\nconst MessageSchema kMessages[] = {\n";
    std::vector<std::size_t> order(messages.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return std::tie(messages[a].action, messages[a].is_request) < std::tie(messages[b].action, messages[b].is_request);
    });
    for (std::size_t i : order)
      out << "  {" << string_literal(messages[i].action) << ", " << (messages[i].is_request ? "true" : "false") << ", "
          << roots[i] << "},\n";
    out << "};\n}  // namespace\n";
  }

 private:
  static const Json& resolve(const Json& schema, const Json& definitions) {
    if (!schema.contains("$ref")) return schema;
    std::string ref = schema["$ref"].get<std::string>();
    const std::string prefix = "#/definitions/";
    if (ref.rfind(prefix, 0) != 0 || !definitions.contains(ref.substr(prefix.size())))
      throw std::runtime_error("unresolvable $ref " + ref);
    return resolve(definitions[ref.substr(prefix.size())], definitions);
  }
  std::size_t any_node() { return node(Json::object(), Json::object()); }

  std::map<std::string, std::size_t> memo_;
  std::vector<std::string> nodes_;
  std::vector<std::string> properties_;
  std::vector<std::string> enums_;
};

// ---- message types ---------------------------------------------------------------------------------------------

class TypeWriter {
 public:
  // Returns the C++ type for `schema`; named types (structs and enums) are emitted once, dependencies first.
  std::string type_of(const Json& schema_in, const Json& definitions, const std::string& suggested) {
    std::string name = suggested;
    const Json* schema = &schema_in;
    while (schema->contains("$ref")) {
      std::string ref = (*schema)["$ref"].get<std::string>();
      name = ref.substr(ref.rfind('/') + 1);
      schema = &definitions[name];
    }
    if (schema->contains("enum")) return named(*schema, name, [&](const std::string& n) { emit_enum(*schema, n); });
    std::string type = schema->contains("type") && (*schema)["type"].is_string() ? (*schema)["type"].get<std::string>() : "";
    if (type == "string") return "std::string";
    if (type == "integer") return "std::int64_t";
    if (type == "number") return "double";
    if (type == "boolean") return "bool";
    if (type == "array") return "std::vector<" + type_of((*schema)["items"], definitions, name) + ">";
    if (type == "object" && schema->contains("properties") && !(*schema)["properties"].empty())
      return named(*schema, name, [&](const std::string& n) { emit_struct(*schema, definitions, n); });
    return "nlohmann::json";
  }

  std::string declarations() const { return declarations_.str(); }
  std::string definitions() const { return definitions_.str(); }

 private:
  // Same-named types in different messages are one type when they agree on everything but their prose.
  static Json without_prose(const Json& schema) {
    if (schema.is_object()) {
      Json out = Json::object();
      for (auto& [k, v] : schema.items())
        if (k != "description" && k != "comment" && k != "javaType" && k != "$comment") out[k] = without_prose(v);
      return out;
    }
    if (schema.is_array()) {
      Json out = Json::array();
      for (auto& v : schema) out.push_back(without_prose(v));
      return out;
    }
    return schema;
  }

  template <class Emit>
  std::string named(const Json& schema, const std::string& base, Emit emit) {
    std::string key = without_prose(schema).dump();
    std::string name = base;
    for (int suffix = 2;; ++suffix) {
      auto it = emitted_.find(name);
      if (it == emitted_.end()) break;
      if (it->second == key) return name;
      name = base + "_" + std::to_string(suffix);
    }
    emitted_[name] = key;
    emit(name);
    return name;
  }

  void emit_enum(const Json& schema, const std::string& name) {
    std::vector<std::string> values;
    for (auto& v : schema["enum"]) values.push_back(v.get<std::string>());
    std::vector<std::string> ids;
    for (auto& v : values) {
      std::string id = identifier(v);
      while (std::find(ids.begin(), ids.end(), id) != ids.end()) id += "_";
      ids.push_back(id);
    }
    auto& d = declarations_;
    d << "enum class " << name << " {";
    for (std::size_t i = 0; i < ids.size(); ++i) d << (i ? ", " : " ") << ids[i];
    d << " };\nstd::string_view to_string(" << name << " value);\nbool from_string(std::string_view text, " << name
      << "& value);\nvoid to_json(nlohmann::json& j, " << name << " value);\nvoid from_json(const nlohmann::json& j, "
      << name << "& value);\n\n";
    auto& c = definitions_;
    c << "std::string_view to_string(" << name << " value) {\n  switch (value) {\n";
    for (std::size_t i = 0; i < ids.size(); ++i)
      c << "    case " << name << "::" << ids[i] << ": return " << string_literal(values[i]) << ";\n";
    c << "  }\n  return {};\n}\nbool from_string(std::string_view text, " << name << "& value) {\n";
    for (std::size_t i = 0; i < ids.size(); ++i)
      c << "  if (text == " << string_literal(values[i]) << ") { value = " << name << "::" << ids[i] << "; return true; }\n";
    c << "  return false;\n}\nvoid to_json(nlohmann::json& j, " << name << " value) { j = to_string(value); }\n"
      << "void from_json(const nlohmann::json& j, " << name << "& value) {\n"
      << "  if (!from_string(j.get<std::string>(), value)) throw std::invalid_argument(\"not a " << name
      << ": \" + j.dump());\n}\n\n";
  }

  void emit_struct(const Json& schema, const Json& definitions, const std::string& name) {
    std::set<std::string> required;
    if (schema.contains("required"))
      for (auto& r : schema["required"]) required.insert(r.get<std::string>());
    struct Field {
      std::string json_name, member, type;
      bool optional;
    };
    std::vector<Field> fields;
    for (auto& [prop, sub] : schema["properties"].items()) {
      std::string type = type_of(sub, definitions, name + "_" + capitalized(prop));
      fields.push_back({prop, identifier(prop), type, required.count(prop) == 0});
    }
    auto& d = declarations_;
    d << "struct " << name << " {\n";
    for (auto& f : fields)
      d << "  " << (f.optional ? "std::optional<" + f.type + ">" : f.type) << " " << f.member << "{};\n";
    d << "};\nvoid to_json(nlohmann::json& j, const " << name << "& value);\nvoid from_json(const nlohmann::json& j, "
      << name << "& value);\n\n";
    auto& c = definitions_;
    c << "void to_json(nlohmann::json& j, const " << name << "& value) {\n  j = nlohmann::json::object();\n";
    for (auto& f : fields) {
      if (f.optional)
        c << "  if (value." << f.member << ") j[" << string_literal(f.json_name) << "] = *value." << f.member << ";\n";
      else
        c << "  j[" << string_literal(f.json_name) << "] = value." << f.member << ";\n";
    }
    c << "}\nvoid from_json(const nlohmann::json& j, " << name << "& value) {\n";
    for (auto& f : fields) {
      if (f.optional)
        c << "  if (auto it = j.find(" << string_literal(f.json_name) << "); it != j.end()) value." << f.member
          << " = it->get<" << f.type << ">();\n";
      else
        c << "  j.at(" << string_literal(f.json_name) << ").get_to(value." << f.member << ");\n";
    }
    c << "}\n\n";
  }

  std::map<std::string, std::string> emitted_;
  std::ostringstream declarations_;
  std::ostringstream definitions_;
};

std::string argument(int argc, char** argv, const std::string& flag) {
  for (int i = 1; i + 1 < argc; ++i)
    if (argv[i] == flag) return argv[i + 1];
  throw std::runtime_error("missing " + flag);
}

}  // namespace

int main(int argc, char** argv) try {
  std::string schemas_path = argument(argc, argv, "--schemas");
  std::string ns = argument(argc, argv, "--namespace");
  std::set<std::string> typed_actions;
  {
    std::stringstream list(argument(argc, argv, "--actions"));
    for (std::string a; std::getline(list, a, ',');) typed_actions.insert(a);
  }
  std::ifstream in(schemas_path);
  if (!in) throw std::runtime_error("cannot read " + schemas_path);
  Json bundle = Json::parse(in);
  std::vector<Message> messages;
  for (auto& schema : bundle) {
    Message m;
    if (!parse_id(schema.value("$id", ""), m)) throw std::runtime_error("unexpected $id " + schema.value("$id", ""));
    m.schema = schema;
    messages.push_back(std::move(m));
  }
  for (auto& a : typed_actions) {
    bool found = std::any_of(messages.begin(), messages.end(), [&](const Message& m) { return m.action == a; });
    if (!found) throw std::runtime_error("no schema for action " + a + " in " + schemas_path);
  }

  TableWriter tables;
  std::vector<std::size_t> roots;
  TypeWriter types;
  for (auto& m : messages) {
    Json definitions = m.schema.contains("definitions") ? m.schema["definitions"] : Json::object();
    roots.push_back(tables.node(m.schema, definitions));
    if (typed_actions.count(m.action))
      types.type_of(m.schema, definitions, m.action + (m.is_request ? "Request" : "Response"));
  }

  const std::string banner = "// Generated by tools/ocpp_codegen from " + schemas_path + ". Do not edit.\n";
  std::ofstream header(argument(argc, argv, "--header"));
  header << banner << "#pragma once\n\n#include <cstdint>\n#include <optional>\n#include <string>\n"
         << "#include <string_view>\n#include <vector>\n\n#include <nlohmann/json.hpp>\n\n"
         << "#include \"ocpp/rpc/schema.hpp\"\n\nnamespace voltpool::ocpp::" << ns << " {\n\n"
         << "// Validation tables of every message of this protocol version.\nconst rpc::SchemaSet& schemas();\n\n"
         << types.declarations() << "}  // namespace voltpool::ocpp::" << ns << "\n";
  std::ofstream source(argument(argc, argv, "--source"));
  source << banner << "#include \"ocpp/generated/" << ns << ".hpp\"\n\n#include <algorithm>\n#include <limits>\n"
         << "#include <stdexcept>\n\n";
  tables.write(source, messages, roots);
  source << "\nnamespace voltpool::ocpp::" << ns << " {\n\nconst rpc::SchemaSet& schemas() {\n"
         << "  static const rpc::SchemaSet set{kNodes, kProperties, kEnumValues, kMessages};\n  return set;\n}\n\n"
         << types.definitions() << "}  // namespace voltpool::ocpp::" << ns << "\n";
  return header && source ? 0 : 1;
} catch (const std::exception& e) {
  std::cerr << "ocpp_codegen: " << e.what() << "\n";
  return 1;
}
