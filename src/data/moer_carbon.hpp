// The SGIP/WattTime marginal operating emissions rate for CAISO SCE (SOURCES.md §5): gzipped CSV, UTC,
// 5-minute rows `time,moer,f1..f36`, in kg CO2 per kWh. Monthly files overlap by a day; a folder of them
// loads as one series (the first file's value wins on an overlap). Forecast columns are not read.
#pragma once

#include <string>

#include "core/series.hpp"
#include "data/csv_file.hpp"

namespace voltpool {

// `path` is one file or a folder of *.csv.gz files. Missing 5-minute slots hold NaN.
Result<TimeSeries> load_moer_kg_per_kwh(const std::string& path, const LoadOptions& opts, LoadStats& stats);

}  // namespace voltpool
