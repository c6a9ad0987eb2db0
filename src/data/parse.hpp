// Strict parsers for the numbers and timestamps the data sets write. Each returns nullopt on anything it
// does not fully understand (trailing text, an out-of-range date), so the caller can name the field.
#pragma once

#include <optional>
#include <string_view>

#include "core/time.hpp"

namespace voltpool {

// "12.5", "-3", "1e-3"; the whole string must be a finite number.
std::optional<double> parse_number(std::string_view s);
// German notation: "1.234,56" or "-5,17" (thousands dot, decimal comma).
std::optional<double> parse_decimal_comma(std::string_view s);
// "True" / "False" (also lower case).
std::optional<bool> parse_bool(std::string_view s);
// "2019-05-01 01:18:45-07:00" or with 'T'; offset "+HH:MM", "-HH:MM" or "Z".
std::optional<UtcTime> parse_iso_with_offset(std::string_view s);
// A calendar date "2024-06-03".
std::optional<std::chrono::sys_days> parse_iso_date(std::string_view s);
// A wall-clock date and time: "dd.mm.yyyy HH:MM" (sep '.') or "dd/mm/yyyy" + "HH:MM" (sep '/').
std::optional<LocalTime> parse_dmy_hm(std::string_view date, std::string_view time, char sep);

}  // namespace voltpool
