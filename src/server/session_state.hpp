// One open transaction as the planner sees it: what the station metered, what is known of the car and its owner
// (the store's vehicle, owner and preferences: its terms), what the EV said (OCPP charging needs), and the plan
// inputs derived from them. apply_terms() derives those inputs again whenever the terms or the needs change, the
// same way at run time and after a restart.
#pragma once

#include <limits>
#include <optional>
#include <string>

#include "core/time.hpp"
#include "ocpp/csms/backend.hpp"
#include "store/store.hpp"

namespace voltpool::server {

// What the store says about a session's car and owner (read outside the bridge's lock).
struct SessionTerms {
  double station_max_kw = 0;
  std::optional<store::VehicleRecord> vehicle;
  std::string owner_id;  // empty: nobody claimed the id token
  std::optional<store::OwnerPreferences> preferences;
  double owner_exported_this_year_kwh = 0;  // settled V2G export, for the wear budget
  double owner_exported_this_week_kwh = 0;  // and for the weekly cap (since Monday 00:00 UTC)
};

// The EV's last charging needs and the session's net energy when it said them.
struct StatedNeeds {
  ocpp::ChargingNeeds needs;
  UtcTime said_at{};
  double net_wh_then = 0;
};

struct SessionState {
  std::string station_id, transaction_id, id_token;
  int evse_id = 1;
  UtcTime started{};
  SessionTerms terms;
  std::optional<StatedNeeds> ev;

  // Metered.
  std::optional<double> meter_start_wh;   // the import register when the transaction started
  double delivered_wh = 0;                // import register minus meter start
  std::optional<double> export_start_wh;  // V2X: the first export register reading of the session
  double exported_wh = 0;                 // export register minus its first reading
  double net_wh() const { return delivered_wh - exported_wh; }
  std::optional<double> soc_pct;  // the latest metered
  double net_at_soc_wh = 0;       // net_wh() when soc_pct was read
  std::optional<double> power_w;  // the latest metered (+ charging)

  // Plan inputs (apply_terms).
  double max_power_kw = 0;
  double energy_needed_kwh = 0;      // from `needs_time` on
  UtcTime needs_time{};
  double delivered_at_needs_wh = 0;  // net_wh() at `needs_time`
  bool ev_stated_energy = false;     // the EV said its need (it comes before the owner's SoC target)
  UtcTime departure{};
  // V2X: discharge power the EV offers (0: charge only), capped by the vehicle's, and the EV's energy window
  // measured from net_at_window_wh.
  double max_discharge_kw = 0;
  std::optional<double> min_energy_kwh, max_energy_kwh;
  double net_at_window_wh = 0;
  std::string owner_id;
  bool v2g_consent = false;  // the owner's (BridgeOptions::v2g consents for everyone)
  double battery_kwh = 0;    // the vehicle's; 0: unknown
  std::optional<double> target_soc_pct;
  std::optional<double> keep_energy_kwh;  // the owner's minimum, stored energy
  // What the owner's wear budget and weekly cap still allow to discharge beyond their settled sessions (grid
  // side; infinite: neither); this session's own export counts against it.
  double discharge_allowance_kwh = std::numeric_limits<double>::infinity();

  bool may_discharge(bool v2g_for_all) const { return (v2g_for_all || v2g_consent) && max_discharge_kw > 0; }
};

struct TermDefaults {
  double energy_kwh = 20;       // what a car needs when nobody said
  Seconds dwell{8 * 3600};      // how long it stays when nobody said
  double wear_eur_per_kwh = 0;  // the wear of a discharged kWh (prices the wear budget)
};

// Derives the session's plan inputs from its terms and its EV's last needs, each overriding the one before: the
// defaults, the vehicle, the owner's preferences, what the EV said (it knows its own battery best).
void apply_terms(SessionState& s, const TermDefaults& defaults, UtcTime now);

}  // namespace voltpool::server
