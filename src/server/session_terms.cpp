#include <algorithm>
#include <chrono>

#include "server/session_state.hpp"
#include "server/session_window.hpp"

namespace voltpool::server {

namespace {

void apply_vehicle(SessionState& s, const store::VehicleRecord& v) {
  s.battery_kwh = v.battery_kwh;
  if (v.max_charge_kw > 0) s.max_power_kw = std::min(s.max_power_kw, v.max_charge_kw);
}

void apply_preferences(SessionState& s, const store::OwnerPreferences& p, const SessionTerms& t,
                       const TermDefaults& d, UtcTime now) {
  if (p.departure_minute_utc) {
    UtcTime day{std::chrono::floor<std::chrono::days>(s.started)};
    UtcTime departure = day + std::chrono::minutes(*p.departure_minute_utc);
    if (departure <= s.started) departure += std::chrono::days(1);
    s.departure = departure;
  }
  if (p.target_energy_kwh) s.energy_needed_kwh = *p.target_energy_kwh;
  s.v2g_consent = p.v2g_consent;
  s.target_soc_pct = p.target_soc_pct;
  if (p.min_energy_kwh) s.keep_energy_kwh = *p.min_energy_kwh;
  if (p.min_soc_pct)  // a minimum of unknown size (no battery size) keeps 0 known: no discharge without the SoC
    s.keep_energy_kwh = std::max(s.keep_energy_kwh.value_or(0.0), *p.min_soc_pct / 100.0 * s.battery_kwh);
  if (p.wear_budget_eur) {
    auto today = std::chrono::floor<std::chrono::days>(now);
    auto year = std::chrono::year_month_day(today).year();
    int day = static_cast<int>((today - std::chrono::sys_days(year / std::chrono::January / 1)).count());
    s.discharge_allowance_kwh =
        discharge_allowance_kwh(*p.wear_budget_eur, d.wear_eur_per_kwh, t.owner_exported_this_year_kwh, day);
  }
  if (p.weekly_discharge_cap_kwh)
    s.discharge_allowance_kwh =
        std::min(s.discharge_allowance_kwh, std::max(0.0, *p.weekly_discharge_cap_kwh - t.owner_exported_this_week_kwh));
}

void apply_needs(SessionState& s, const StatedNeeds& said) {
  const ocpp::ChargingNeeds& n = said.needs;
  if (n.energy_kwh) {
    s.energy_needed_kwh = *n.energy_kwh;
    s.needs_time = said.said_at;
    s.delivered_at_needs_wh = said.net_wh_then;
    s.ev_stated_energy = true;
  }
  if (n.departure) s.departure = *n.departure;
  if (n.max_charge_w && *n.max_charge_w > 0) s.max_power_kw = std::min(s.max_power_kw, *n.max_charge_w / 1000.0);
  if (n.max_discharge_w && *n.max_discharge_w > 0) {
    // The EV's V2X window is measured from when it said it: energy moved since then moves the car inside it.
    s.max_discharge_kw = std::min(s.max_power_kw, *n.max_discharge_w / 1000.0);
    if (s.terms.vehicle && s.terms.vehicle->max_discharge_kw > 0)
      s.max_discharge_kw = std::min(s.max_discharge_kw, s.terms.vehicle->max_discharge_kw);
    s.min_energy_kwh = n.min_energy_kwh;
    s.max_energy_kwh = n.max_energy_kwh;
    s.net_at_window_wh = said.net_wh_then;
  }
}

}  // namespace

void apply_terms(SessionState& s, const TermDefaults& d, UtcTime now) {
  const SessionTerms& t = s.terms;
  s.max_power_kw = t.station_max_kw;
  s.energy_needed_kwh = d.energy_kwh;
  s.needs_time = s.started;
  s.delivered_at_needs_wh = 0;
  s.ev_stated_energy = false;
  s.departure = s.started + d.dwell;
  s.max_discharge_kw = 0;
  s.min_energy_kwh.reset();
  s.max_energy_kwh.reset();
  s.net_at_window_wh = 0;
  s.owner_id = t.owner_id;
  s.v2g_consent = false;
  s.battery_kwh = 0;
  s.target_soc_pct.reset();
  s.keep_energy_kwh.reset();
  s.discharge_allowance_kwh = std::numeric_limits<double>::infinity();
  if (t.vehicle) apply_vehicle(s, *t.vehicle);
  if (t.preferences) apply_preferences(s, *t.preferences, t, d, now);
  if (s.ev) apply_needs(s, *s.ev);
}

}  // namespace voltpool::server
