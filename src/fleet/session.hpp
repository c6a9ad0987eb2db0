// Plug-in sessions: what a data set recorded (`RecordedSession`) and what the VPP works with
// (`PlugSession`: the car's battery and the owner's needs). A planner sees the owner's estimated departure,
// never the actual one; only a simulator knows when the car really leaves.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "battery/battery_model.hpp"
#include "battery/vehicle.hpp"
#include "core/time.hpp"
#include "core/timezone.hpp"

namespace voltpool {

struct RecordedSession {
  std::string id;
  std::string vehicle_id;  // the driver or card when the data set has one, else empty
  std::string station_id;
  std::string site;
  UtcTime arrival{};
  UtcTime departure{};
  std::optional<UtcTime> est_departure;  // the owner's own estimate, where the data set has it
  std::optional<double> requested_kwh;   // the owner's own request (metered kWh), where the data set has it
  double delivered_kwh = 0;              // metered energy of the session
  double evse_max_kw = 0;                // what the charge point can deliver
  bool evse_dc = false;
  std::string vehicle_model;  // when the data set names it
};

struct SessionSet {
  std::string source;  // file(s) it came from
  TimeZone site_tz;    // the sites' civil time (for re-dating by wall clock)
  std::vector<RecordedSession> sessions;
  size_t rows_skipped_malformed = 0;  // only with --lenient
  size_t rows_skipped_open = 0;       // sessions still open when the data was exported (no end, no kWh)
};

struct OwnerNeeds {
  UtcTime est_departure{};
  double target_energy_kwh = 0;  // wanted at est_departure; also the charge ceiling
  double min_energy_kwh = 0;     // always kept
  bool v2g_consent = false;
};

struct PlugSession {
  std::string id;
  std::string vehicle_id;
  std::string station_id;
  UtcTime arrival{};
  UtcTime departure{};  // actual: simulators only
  double capacity_kwh = 0;
  double arrival_energy_kwh = 0;
  OwnerNeeds needs;
  double charge_max_kw = 0;     // min(charge point, vehicle)
  double discharge_max_kw = 0;  // 0 without consent or without bidirectional hardware
  double charge_efficiency = 1;
  double discharge_efficiency = 1;

  double need_kwh() const { return needs.target_energy_kwh - arrival_energy_kwh; }
  BatteryLimits limits() const {
    return {needs.min_energy_kwh, needs.target_energy_kwh, charge_max_kw, discharge_max_kw, charge_efficiency,
            discharge_efficiency};
  }
};

// How a recorded session becomes owner needs when the data set does not say them all.
struct OwnerDefaults {
  double target_soc = 0.9;  // charge ceiling when the request fits below it
  double min_soc = 0.2;     // kept always (lower when the car arrives below it)
  double v2g_consent_share = 0;  // share of owners who allow discharge, chosen by a hash of the vehicle id
};

// The owner's need is the energy they asked for (or, without a request, what the session metered), converted
// to battery-side kWh with the charge efficiency and capped by the battery. The car is assumed to arrive with
// target - need, where target is max(target_soc, min_soc + need) of the capacity, at most full.
PlugSession to_plug_session(const RecordedSession& r, const VehicleSpec& vehicle, const OwnerDefaults& defaults);

}  // namespace voltpool
