#include "ocpp/csms/context.hpp"

#include <string>

#include "data/parse.hpp"

namespace voltpool::ocpp {

namespace {
SimClock service_clock;  // set once at start-up, before any thread reads it
}  // namespace

void set_service_clock(const SimClock& clock) { service_clock = clock; }

UtcTime utc_now() { return service_clock.now(); }

std::optional<UtcTime> parse_ocpp_time(std::string_view text) {
  std::string whole(text);
  if (auto dot = whole.find('.', 19); dot != std::string::npos && dot == 19) {
    std::size_t end = dot + 1;
    while (end < whole.size() && whole[end] >= '0' && whole[end] <= '9') ++end;
    whole.erase(dot, end - dot);
  }
  if (whole.size() > 19 && whole.back() == 'z') whole.back() = 'Z';
  return parse_iso_with_offset(whole);
}

}  // namespace voltpool::ocpp
