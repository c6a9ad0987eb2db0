#include "store/series_text.hpp"

#include <charconv>

namespace voltpool::store {

std::string values_text(const std::vector<double>& values) {
  std::string out;
  char buffer[32];
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, values[i]);  // shortest that round-trips
    out.append(buffer, end);
  }
  return out;
}

Result<std::vector<double>> values_from_text(const std::string& text) {
  std::vector<double> out;
  const char* p = text.data();
  const char* end = p + text.size();
  while (p < end) {
    double v = 0;
    auto [next, ec] = std::from_chars(p, end, v);
    if (ec != std::errc() || (next != end && *next != ','))
      return Error{"a stored series value at character " + std::to_string(p - text.data()) + " is not a number"};
    out.push_back(v);
    p = next == end ? end : next + 1;
  }
  return out;
}

}  // namespace voltpool::store
