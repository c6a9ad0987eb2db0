#include "app/real_fleet_cli.hpp"

#include "data/ev_specs.hpp"
#include "data/moer_carbon.hpp"
#include "data/parse.hpp"
#include "data/sessions.hpp"
#include "data/smard_prices.hpp"

namespace voltpool::app {

const char* const kRedatingHelp =
    "Re-dating: the session data sets (2016-2021) and the prices (2023-2024) do not overlap, so sessions are moved\n"
    "onto the price calendar by a whole number of weeks, keeping each event's local wall-clock time and weekday:\n"
    "a car that arrived at 08:10 on a Monday at its site arrives at 08:10 on a Monday in the price zone's time.\n"
    "The source week is --from minus whole 52-week years when the data covers it, else the data's first day\n"
    "with --from's weekday; --sessions-from picks it by hand. The carbon signal is re-dated the same way.\n"
    "Owner needs: the energy the driver asked for (ACN claimed sessions) or the energy the session metered, the\n"
    "departure the driver estimated (ACN claimed) or the real one; the car arrives with target - need.";

void add_real_fleet_options(CLI::App* cmd, RealFleetArgs& a) {
  cmd->footer(kRedatingHelp);
  cmd->add_option("--sessions", a.sessions, "session file(s) or folder: ACN-Data, Dundee or Perth & Kinross")
      ->required();
  cmd->add_option("--prices", a.prices, "SMARD day-ahead price export (CSV)")->required();
  cmd->add_option("--zone", a.zone, "price zone: " + smard_zone_codes())->capture_default_str();
  cmd->add_option("--carbon", a.carbon, "marginal emissions (SGIP MOER .csv.gz file or folder)");
  cmd->add_option("--from", a.from, "first day, YYYY-MM-DD, in the price zone's calendar")->required();
  cmd->add_option("--days", a.days, "days of arrivals")->capture_default_str()->check(CLI::Range(1, 3660));
  cmd->add_option("--vehicle", a.vehicle, "vehicle preset (" + preset_ids() + ") or open-ev-data id")
      ->capture_default_str();
  cmd->add_option("--ev-specs", a.ev_specs, "open-ev-data JSON, to pick --vehicle from its 293 models");
  cmd->add_option("--site-limit-kw", a.site_limit_kw, "site import/export limit in kW (default: none)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--step-minutes", a.step_minutes, "time step (divides an hour)")->capture_default_str()
      ->check(CLI::IsMember({1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60}));
  cmd->add_option("--sessions-from", a.sessions_from, "data day (YYYY-MM-DD) to map onto --from");
  cmd->add_option("--target-soc", a.target_soc_pct, "owner's default target SoC, %")->capture_default_str()
      ->check(CLI::Range(1.0, 100.0));
  cmd->add_option("--min-soc", a.min_soc_pct, "SoC always kept, %")->capture_default_str()->check(CLI::Range(0.0, 100.0));
  cmd->add_flag("--know-departures", a.know_departures,
                "plan with the actual departures instead of the owners' estimates (research: value of information)");
  cmd->add_flag("--repeat-sessions", a.repeat_sessions,
                "when --days runs past the data, replay its weeks again (same drivers, same weekdays)");
  cmd->add_flag("--lenient", a.lenient, "skip and count malformed rows instead of failing on the first");
}

namespace {

Result<VehicleSpec> find_vehicle(const RealFleetArgs& a) {
  if (auto p = find_preset(a.vehicle)) return *p;
  if (!a.ev_specs.empty()) {
    auto specs = load_open_ev_data(a.ev_specs);
    if (!specs.ok()) return specs.error();
    for (const auto& s : *specs) {
      if (s.id == a.vehicle) return s;
    }
    return Error{"--vehicle '" + a.vehicle + "' is neither a preset (" + preset_ids() + ") nor a model id in " +
                 a.ev_specs};
  }
  return Error{"--vehicle '" + a.vehicle + "' is not a preset (" + preset_ids() +
               "); give --ev-specs FILE to choose from open-ev-data"};
}

}  // namespace

Result<LoadedFleet> load_real_fleet(const RealFleetArgs& a, double v2g_consent_share) {
  LoadOptions load{a.lenient};
  auto from = parse_iso_date(a.from);
  if (!from) return Error{"--from: expected a date YYYY-MM-DD, got '" + a.from + "'"};
  bool zone_known = false;
  for (const auto& z : smard_zones()) zone_known |= z.code == a.zone;
  if (!zone_known) return Error{"unknown price zone '" + a.zone + "'; known zones: " + smard_zone_codes()};
  std::optional<std::chrono::sys_days> sessions_from;
  if (!a.sessions_from.empty()) {
    sessions_from = parse_iso_date(a.sessions_from);
    if (!sessions_from) return Error{"--sessions-from: expected a date YYYY-MM-DD, got '" + a.sessions_from + "'"};
  }
  auto vehicle = find_vehicle(a);
  if (!vehicle.ok()) return vehicle.error();
  LoadStats session_stats, price_stats, carbon_stats;
  auto sessions = load_sessions(a.sessions, load, session_stats);
  if (!sessions.ok()) return sessions.error();
  auto prices = load_smard_prices(a.prices, a.zone, load, price_stats);
  if (!prices.ok()) return prices.error();
  std::optional<TimeSeries> carbon;
  if (!a.carbon.empty()) {
    auto c = load_moer_kg_per_kwh(a.carbon, load, carbon_stats);
    if (!c.ok()) return c.error();
    carbon = std::move(*c);
  }
  RealFleetOptions opts;
  opts.from = *from;
  opts.days = a.days;
  opts.step = std::chrono::minutes{a.step_minutes};
  opts.vehicle = *vehicle;
  opts.owner.target_soc = a.target_soc_pct / 100;
  opts.owner.min_soc = a.min_soc_pct / 100;
  opts.owner.v2g_consent_share = v2g_consent_share;
  if (a.site_limit_kw > 0) opts.site_limit_kw = a.site_limit_kw;
  opts.planners_know_actual_departure = a.know_departures;
  opts.repeat_sessions = a.repeat_sessions;
  opts.sessions_from = sessions_from;
  auto fleet = build_real_fleet(*sessions, *prices, carbon ? &*carbon : nullptr, america_los_angeles(), opts);
  if (!fleet.ok()) return fleet.error();
  LoadedFleet out{std::move(*fleet), std::move(*sessions), *vehicle, carbon.has_value(),
                  session_stats.rows_skipped + price_stats.rows_skipped + carbon_stats.rows_skipped};
  return out;
}

}  // namespace voltpool::app
