#include "server/session_window.hpp"

#include <algorithm>
#include <cmath>

namespace voltpool::server {

std::optional<double> stored_energy_kwh(const SessionState& s) {
  if (s.battery_kwh <= 0 || !s.soc_pct) return std::nullopt;
  return *s.soc_pct / 100.0 * s.battery_kwh + (s.net_wh() - s.net_at_soc_wh) / 1000.0;
}

SessionWindow session_window(const SessionState& s, bool v2g_for_all) {
  SessionWindow w;
  const double since_needs_kwh = (s.net_wh() - s.delivered_at_needs_wh) / 1000.0;
  const auto stored = stored_energy_kwh(s);
  double need = s.energy_needed_kwh - since_needs_kwh;
  if (stored && s.target_soc_pct && !s.ev_stated_energy) need = *s.target_soc_pct / 100.0 * s.battery_kwh - *stored;
  if (stored) need = std::min(need, s.battery_kwh - *stored);  // a full battery takes no more
  w.need_kwh = std::max(0.0, need);
  w.ceiling_kwh = w.need_kwh;

  // The wear budget's allowance (settled sessions counted) less what this open session exported.
  const double allowance_kwh = std::max(0.0, s.discharge_allowance_kwh - s.exported_wh / 1000.0);
  bool discharge = s.may_discharge(v2g_for_all) && allowance_kwh > 0;
  // An owner who keeps a minimum needs the stored energy known; without it the car does not discharge.
  if (s.keep_energy_kwh && !stored) discharge = false;
  if (!discharge) return w;
  w.discharge_max_kw = s.max_discharge_kw;
  w.discharge_cap_kwh = allowance_kwh;
  // The EV's V2X window, measured from when it said it.
  const double since_window_kwh = (s.net_wh() - s.net_at_window_wh) / 1000.0;
  double floor = s.min_energy_kwh ? std::min(0.0, *s.min_energy_kwh - since_window_kwh) : 0.0;
  if (stored) {
    floor = std::max(floor, -*stored);  // never below empty
    if (s.keep_energy_kwh) floor = std::max(floor, std::min(0.0, *s.keep_energy_kwh - *stored));
  }
  w.floor_kwh = floor;
  double ceiling = s.max_energy_kwh ? *s.max_energy_kwh - since_window_kwh : w.need_kwh;
  if (stored) ceiling = std::min(ceiling, s.battery_kwh - *stored);
  w.ceiling_kwh = std::max(w.need_kwh, ceiling);
  return w;
}

double discharge_allowance_kwh(double wear_budget_eur_per_year, double wear_eur_per_kwh, double exported_this_year_kwh,
                               int day_of_year) {
  if (wear_eur_per_kwh <= 0) return std::numeric_limits<double>::infinity();
  double accrued_eur = wear_budget_eur_per_year * std::clamp(day_of_year + 1, 1, 365) / 365.0;
  return std::max(0.0, accrued_eur / wear_eur_per_kwh - exported_this_year_kwh);
}

}  // namespace voltpool::server
