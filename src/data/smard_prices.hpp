// SMARD.de day-ahead prices (../shared/data/SOURCES.md §1a): ';'-separated, decimal comma, hourly rows in
// Europe/Berlin wall-clock time. The repeated 02:00 hour on the autumn clock change is told apart by row
// order; the missing spring hour needs nothing. Prices come out in EUR/kWh on a regular UTC hourly series.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/series.hpp"
#include "data/csv_file.hpp"

namespace voltpool {

struct SmardZone {
  std::string code;           // "DE-LU", "NL", ...
  std::string column_prefix;  // how SMARD's header names it
};

// The 17 price columns of the SMARD export, by code.
const std::vector<SmardZone>& smard_zones();
std::string smard_zone_codes();  // "DE-LU, DE-LU-NEIGHBOURS, BE, ..."

// Hourly day-ahead prices of `zone` in EUR/kWh. A missing price ('-') is an error naming line and field;
// under --lenient the row is skipped and its hour holds NaN (a later use of that hour is an error).
Result<TimeSeries> load_smard_prices(const std::string& path, std::string_view zone, const LoadOptions& opts,
                                     LoadStats& stats);

}  // namespace voltpool
