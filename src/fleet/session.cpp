#include "fleet/session.hpp"

#include <algorithm>
#include <functional>

namespace voltpool {

PlugSession to_plug_session(const RecordedSession& r, const VehicleSpec& vehicle, const OwnerDefaults& defaults) {
  PlugSession s;
  s.id = r.id;
  s.vehicle_id = r.vehicle_id.empty() ? r.id : r.vehicle_id;
  s.station_id = r.station_id;
  s.arrival = r.arrival;
  s.departure = r.departure;
  s.capacity_kwh = vehicle.usable_capacity_kwh;
  s.charge_efficiency = vehicle.charge_efficiency;
  s.discharge_efficiency = vehicle.discharge_efficiency;
  double vehicle_kw = r.evse_dc ? vehicle.dc_charge_max_kw : vehicle.ac_charge_max_kw;
  s.charge_max_kw = std::min(r.evse_max_kw, vehicle_kw);
  // A stable choice of consenting owners: the same vehicle consents in every run.
  bool consents = static_cast<double>(std::hash<std::string>{}(s.vehicle_id) % 10000) < defaults.v2g_consent_share * 10000;
  s.discharge_max_kw = consents ? std::min(r.evse_max_kw, vehicle.discharge_max_kw) : 0.0;

  double cap = vehicle.usable_capacity_kwh;
  double metered_need = r.requested_kwh.value_or(r.delivered_kwh);
  double need = std::clamp(metered_need * vehicle.charge_efficiency, 0.0, cap);
  double target = std::min(cap, std::max(defaults.target_soc * cap, defaults.min_soc * cap + need));
  double arrival = std::max(0.0, target - need);
  s.arrival_energy_kwh = arrival;
  s.needs.target_energy_kwh = target;
  s.needs.min_energy_kwh = std::min(arrival, defaults.min_soc * cap);
  s.needs.v2g_consent = s.discharge_max_kw > 0;
  bool usable_estimate = r.est_departure && *r.est_departure > r.arrival;
  s.needs.est_departure = usable_estimate ? *r.est_departure : r.departure;
  return s;
}

}  // namespace voltpool
