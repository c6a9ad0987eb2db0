#include "data/moer_carbon.hpp"

#include <cmath>
#include <map>

#include "data/parse.hpp"
#include "data/sessions.hpp"

namespace voltpool {

Result<TimeSeries> load_moer_kg_per_kwh(const std::string& path, const LoadOptions& opts, LoadStats& stats) {
  auto files = expand_path(path, ".csv.gz");
  if (!files.ok()) return files.error();
  const Seconds step{300};
  std::map<UtcTime, double> values;
  for (const auto& f : *files) {
    auto file = CsvFile::open(f);
    if (!file.ok()) return file.error();
    CsvFile& csv = *file;
    auto cols = csv.require_columns({"time", "moer"});
    if (!cols.ok()) return cols.error();
    const size_t time_col = (*cols)[0];
    const size_t moer_col = (*cols)[1];
    while (csv.next()) {
      ++stats.rows_read;
      auto t = parse_iso_with_offset(csv.field(time_col));
      std::optional<Error> err;
      if (!t || (t->time_since_epoch() % step).count() != 0) {
        err = csv.bad_field(time_col, "a UTC time on a 5-minute boundary");
      }
      auto v = parse_number(csv.field(moer_col));
      if (!err && (!v || *v < 0)) err = csv.bad_field(moer_col, "a non-negative kg CO2/kWh");
      if (err) {
        if (stats.skip(*err, opts)) continue;
        return *err;
      }
      values.emplace(*t, *v);
    }
    if (auto e = csv.read_error()) return *e;
  }
  if (values.empty()) return Error{path + ": no carbon rows"};
  TimeSeries series{values.begin()->first, step, {}};
  series.values.assign(static_cast<size_t>((values.rbegin()->first - series.start) / step) + 1, std::nan(""));
  for (const auto& [t, v] : values) series.values[static_cast<size_t>((t - series.start) / step)] = v;
  return series;
}

}  // namespace voltpool
