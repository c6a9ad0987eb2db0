// What a functional block's handler sees of its connection: which station it is (authenticated by the
// transport: a station can only act as itself) and the backend it reports to.
#pragma once

#include <string>

#include "core/clock.hpp"
#include "core/time.hpp"
#include "ocpp/csms/backend.hpp"

namespace voltpool::ocpp {

struct BlockContext {
  std::string station_id;
  CsmsBackend& backend;
};

// The current UTC time, whole seconds, on the service clock (the wall clock unless an accelerated replay set
// another before the service started).
UtcTime utc_now();
void set_service_clock(const SimClock& clock);
// RFC 3339 as OCPP writes it (fractional seconds and offsets allowed); nothing when malformed.
std::optional<UtcTime> parse_ocpp_time(std::string_view text);

}  // namespace voltpool::ocpp
