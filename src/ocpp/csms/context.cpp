#include "ocpp/csms/context.hpp"

#include <string>

#include "data/parse.hpp"

namespace voltpool::ocpp {

UtcTime utc_now() { return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()); }

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
