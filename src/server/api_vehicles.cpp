// The REST API's vehicles: operators see and register every vehicle; an owner sees theirs and registers their own
// (another owner's vehicle is 404 to them). A vehicle's id token ties its sessions to it and its owner; its battery
// size turns the owner's SoC preferences into energy for the planner.
#include "server/api_json.hpp"
#include "server/http_api.hpp"

namespace voltpool::server {

using nlohmann::json;

HttpResponse HttpApi::vehicles(const std::vector<std::string_view>& parts, const HttpRequest& request,
                               const std::optional<std::string>& owner) const {
  const bool get = request.method == "GET";
  if (parts.size() == 2) {
    if (!get) return error(405, "GET only");
    json out = json::array();
    for (const auto& v : store_.vehicles(owner)) out.push_back(vehicle_json(v));
    return json_response(200, out);
  }
  if (parts.size() != 3) return error(404, "no such resource");
  std::string id(parts[2]);
  if (id.empty() || id.size() > 128) return error(404, "no such vehicle");
  auto existing = store_.vehicle(id);
  if (existing && owner && existing->owner_id != *owner) return error(404, "no such vehicle");  // another's
  if (get) return existing ? json_response(200, vehicle_json(*existing)) : error(404, "no such vehicle");
  if (request.method != "PUT") return error(405, "GET or PUT");
  auto v = vehicle_from_json(id, request.body);
  if (!v) return error(400, v.error().message);
  if (owner) {
    if (!v->owner_id.empty() && v->owner_id != *owner) return error(403, "an owner registers only their own vehicles");
    v->owner_id = *owner;
  } else if (v->owner_id.empty()) {
    return error(400, "'owner_id' is required");
  }
  if (!v->id_token.empty()) {
    auto holder = store_.vehicle_of_id_token(v->id_token);
    if (holder && holder->id != id) return error(409, "id token " + v->id_token + " belongs to vehicle " + holder->id);
    // An owner attaches only a token already theirs (the operator links new ones: `voltpool owners link`), so
    // nobody can claim another driver's card and with it their sessions and earnings.
    auto token_owner = store_.owner_of_id_token(v->id_token);
    if (owner && token_owner != owner)
      return error(409, "id token " + v->id_token + " is not linked to you; the operator links new tokens");
  }
  if (auto stored = store_.put_vehicle(*v); !stored) return error(500, stored.error().message);
  bridge_.preferences_changed(v->owner_id);
  return json_response(existing ? 200 : 201, vehicle_json(*v));
}

}  // namespace voltpool::server
