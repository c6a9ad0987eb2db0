#include "data/fleet_day_files.hpp"

#include <cmath>
#include <map>

#include "data/parse.hpp"

namespace voltpool {

Result<std::vector<BenchEv>> load_fleet_day_evs(const std::string& path, const LoadOptions& opts, LoadStats& stats) {
  auto file = CsvFile::open(path);
  if (!file.ok()) return file.error();
  CsvFile& csv = *file;
  auto cols = csv.require_columns({"id", "kind", "arrival", "departure", "capacity_kwh", "e_arrival_kwh",
                                    "e_target_kwh", "e_min_kwh", "p_max_kw", "p_dis_max_kw"});
  if (!cols.ok()) return cols.error();
  const std::vector<size_t>& col = *cols;
  std::vector<BenchEv> evs;
  while (csv.next()) {
    ++stats.rows_read;
    auto row = [&]() -> Result<BenchEv> {
      BenchEv ev;
      double v[10];
      for (int i : {0, 2, 3, 4, 5, 6, 7, 8, 9}) {
        auto x = parse_number(csv.field(col[i]));
        if (!x) return csv.bad_field(col[i], "a number");
        v[i] = *x;
      }
      for (int i : {0, 2, 3}) {
        if (v[i] != std::floor(v[i]) || v[i] < 0) return csv.bad_field(col[i], "a non-negative whole number");
      }
      const std::string& kind = csv.field(col[1]);
      if (kind != "overnight" && kind != "midday") return csv.bad_field(col[1], "'overnight' or 'midday'");
      ev.id = static_cast<int64_t>(v[0]);
      ev.overnight = kind == "overnight";
      ev.arrival_step = static_cast<int>(v[2]);
      ev.departure_step = static_cast<int>(v[3]);
      ev.capacity_kwh = v[4];
      ev.e_arrival_kwh = v[5];
      ev.e_target_kwh = v[6];
      ev.e_min_kwh = v[7];
      ev.p_max_kw = v[8];
      ev.p_dis_max_kw = v[9];
      if (ev.departure_step <= ev.arrival_step) return csv.bad_field(col[3], "a departure after the arrival");
      if (ev.departure_step > kFleetDaySteps) {
        return csv.bad_field(col[3], "a departure step of at most " + std::to_string(kFleetDaySteps));
      }
      if (ev.capacity_kwh <= 0) return csv.bad_field(col[4], "a positive capacity");
      if (ev.e_arrival_kwh < 0 || ev.e_arrival_kwh > ev.capacity_kwh)
        return csv.bad_field(col[5], "an energy within [0, capacity]");
      if (ev.e_target_kwh < 0 || ev.e_target_kwh > ev.capacity_kwh)
        return csv.bad_field(col[6], "an energy within [0, capacity]");
      if (ev.e_min_kwh < 0 || ev.e_min_kwh > ev.e_arrival_kwh + 1e-9)
        return csv.bad_field(col[7], "an energy within [0, e_arrival]");
      if (ev.e_target_kwh < ev.e_arrival_kwh) return csv.bad_field(col[6], "a target not below the arrival energy");
      if (ev.p_max_kw < 0) return csv.bad_field(col[8], "a non-negative power");
      if (ev.p_dis_max_kw < 0) return csv.bad_field(col[9], "a non-negative power");
      return ev;
    }();
    if (!row.ok()) {
      if (stats.skip(row.error(), opts)) continue;
      return row.error();
    }
    evs.push_back(*row);
  }
  if (auto e = csv.read_error()) return *e;
  if (evs.empty()) return Error{path + ": no vehicles"};
  return evs;
}

Result<std::vector<double>> load_step_prices(const std::string& path, const LoadOptions& opts, LoadStats& stats) {
  auto file = CsvFile::open(path);
  if (!file.ok()) return file.error();
  CsvFile& csv = *file;
  auto cols = csv.require_columns({"step", "price_eur_per_kwh"});
  if (!cols.ok()) return cols.error();
  const size_t step_col = (*cols)[0];
  const size_t price_col = (*cols)[1];
  std::map<int, double> by_step;
  while (csv.next()) {
    ++stats.rows_read;
    auto step = parse_number(csv.field(step_col));
    std::optional<Error> err;
    if (!step || *step < 0 || *step != std::floor(*step)) err = csv.bad_field(step_col, "a non-negative whole step");
    else if (by_step.count(static_cast<int>(*step))) err = csv.error("step", "step " + csv.field(step_col) + " given twice");
    auto price = parse_number(csv.field(price_col));
    if (!err && !price) err = csv.bad_field(price_col, "a price in EUR/kWh");
    if (err) {
      if (stats.skip(*err, opts)) continue;
      return *err;
    }
    by_step[static_cast<int>(*step)] = *price;
  }
  if (auto e = csv.read_error()) return *e;
  std::vector<double> out;
  for (const auto& [s, p] : by_step) {
    if (s != static_cast<int>(out.size())) return Error{path + ": step " + std::to_string(out.size()) + " is missing"};
    out.push_back(p);
  }
  if (out.empty()) return Error{path + ": no prices"};
  return out;
}

}  // namespace voltpool
