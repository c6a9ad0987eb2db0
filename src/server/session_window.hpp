// What the planner may do with one session's car, from now to its departure, in energy relative to now
// (0 now, + into the battery): the energy it must get, the lowest and highest it may reach on the way, and how
// much it may discharge in all. It combines the EV's own V2X window (OCPP 2.1 charging needs), the vehicle's
// battery size with its metered state of charge, and the owner's terms (SoC target, the energy always kept, V2G
// consent, the wear budget's allowance). Pure: no I/O, no locks.
#pragma once

#include "server/session_state.hpp"

namespace voltpool::server {

struct SessionWindow {
  double need_kwh = 0;     // to be delivered by departure
  double floor_kwh = 0;    // <= 0: how far it may discharge below now
  double ceiling_kwh = 0;  // >= need_kwh
  double discharge_max_kw = 0;    // 0: no discharge
  double discharge_cap_kwh = 0;   // in all, grid side (infinite: no cap)
};

// The energy stored now, when the vehicle's battery size and a metered SoC are known.
std::optional<double> stored_energy_kwh(const SessionState& s);

SessionWindow session_window(const SessionState& s, bool v2g_for_all);

// What a yearly wear budget still allows to discharge: the budget accrues evenly over the year (unused
// allowance carries over), minus the wear of what was discharged since the year began.
double discharge_allowance_kwh(double wear_budget_eur_per_year, double wear_eur_per_kwh, double exported_this_year_kwh,
                               int day_of_year);

}  // namespace voltpool::server
