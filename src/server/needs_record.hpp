// An EV's charging needs as the service keeps them across restarts (the store's named values): what it said and
// when, under a key per station and EVSE. Acknowledged needs survive kill -9 like everything else acknowledged.
#pragma once

#include <optional>
#include <string>

#include "ocpp/csms/backend.hpp"

namespace voltpool::server {

struct NeedsRecord {
  ocpp::ChargingNeeds needs;
  UtcTime said_at{};
};

std::string needs_key(const std::string& station_id, int evse_id);
std::string needs_text(const NeedsRecord& record);
// Nothing when the text is not a needs record (a value written by something else).
std::optional<NeedsRecord> needs_from_text(const std::string& text);

}  // namespace voltpool::server
