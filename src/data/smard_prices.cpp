#include "data/smard_prices.hpp"

#include <cmath>
#include <map>

#include "core/timezone.hpp"
#include "data/parse.hpp"

namespace voltpool {

const std::vector<SmardZone>& smard_zones() {
  static const std::vector<SmardZone> zones = {
      {"DE-LU", "Deutschland/Luxemburg"}, {"DE-LU-NEIGHBOURS", "\xE2\x88\x85 Anrainer DE/LU"},
      {"BE", "Belgien"},                  {"DK1", "D\xC3\xA4nemark 1"},
      {"DK2", "D\xC3\xA4nemark 2"},       {"FR", "Frankreich"},
      {"NL", "Niederlande"},              {"NO2", "Norwegen 2"},
      {"AT", "\xC3\x96sterreich"},        {"PL", "Polen"},
      {"SE4", "Schweden 4"},              {"CH", "Schweiz"},
      {"CZ", "Tschechien"},               {"DE-AT-LU", "DE/AT/LU"},
      {"IT-NORTH", "Italien (Nord)"},     {"SI", "Slowenien"},
      {"HU", "Ungarn"},
  };
  return zones;
}

std::string smard_zone_codes() {
  std::string out;
  for (const auto& z : smard_zones()) out += (out.empty() ? "" : ", ") + z.code;
  return out;
}

Result<TimeSeries> load_smard_prices(const std::string& path, std::string_view zone, const LoadOptions& opts,
                                     LoadStats& stats) {
  const SmardZone* z = nullptr;
  for (const auto& candidate : smard_zones()) {
    if (candidate.code == zone) z = &candidate;
  }
  if (z == nullptr) {
    return Error{"unknown price zone '" + std::string(zone) + "'; known zones: " + smard_zone_codes()};
  }
  auto file = CsvFile::open(path, ';');
  if (!file.ok()) return file.error();
  CsvFile& csv = *file;
  auto from_col = csv.require_column("Datum von");
  if (!from_col.ok()) return from_col.error();
  auto price_col = csv.column_starting_with(z->column_prefix + " [");
  if (!price_col) {
    return Error{path + ":1: no price column for zone " + z->code + " (expected a header starting with '" +
                 z->column_prefix + " [')"};
  }
  const TimeZone berlin = europe_berlin();
  std::map<UtcTime, double> by_hour;
  std::optional<UtcTime> previous;
  while (csv.next()) {
    ++stats.rows_read;
    const std::string& from = csv.field(*from_col);
    auto local = parse_dmy_hm(from.substr(0, 10), from.size() > 11 ? std::string_view(from).substr(11) : "", '.');
    if (!local || from.size() != 16) {
      if (stats.skip(csv.bad_field(*from_col, "a time 'dd.mm.yyyy HH:MM'"), opts)) continue;
      return csv.bad_field(*from_col, "a time 'dd.mm.yyyy HH:MM'");
    }
    // The second of two equal wall-clock hours (autumn clock change) is the later instant.
    AmbiguousPick pick = AmbiguousPick::kEarlier;
    if (previous && is_ambiguous(berlin, *local) &&
        *to_utc(berlin, *local, AmbiguousPick::kEarlier) <= *previous) {
      pick = AmbiguousPick::kLater;
    }
    auto utc = to_utc(berlin, *local, pick);
    Error order_error = csv.error(csv.header()[*from_col], "expected the hour after the previous row, got '" +
                                                               from + "'");
    if (!utc) {
      if (stats.skip(csv.error(csv.header()[*from_col], "'" + from + "' does not exist in Europe/Berlin"), opts))
        continue;
      return csv.error(csv.header()[*from_col], "'" + from + "' does not exist in Europe/Berlin");
    }
    if (previous && *utc <= *previous) {
      if (stats.skip(order_error, opts)) continue;
      return order_error;
    }
    if (previous && *utc != *previous + std::chrono::hours{1} && !opts.lenient) return order_error;
    previous = *utc;
    auto eur_per_mwh = parse_decimal_comma(csv.field(*price_col));
    if (!eur_per_mwh) {
      Error e = csv.bad_field(*price_col, "a price in EUR/MWh");
      if (stats.skip(e, opts)) continue;
      return e;
    }
    by_hour[*utc] = *eur_per_mwh / 1000.0;
  }
  if (auto e = csv.read_error()) return *e;
  if (by_hour.empty()) return Error{path + ": no price rows for zone " + z->code};
  TimeSeries series{by_hour.begin()->first, std::chrono::hours{1}, {}};
  UtcTime last = by_hour.rbegin()->first;
  series.values.assign(static_cast<size_t>((last - series.start) / std::chrono::hours{1}) + 1, std::nan(""));
  for (const auto& [t, v] : by_hour) series.values[static_cast<size_t>((t - series.start) / std::chrono::hours{1})] = v;
  return series;
}

}  // namespace voltpool
