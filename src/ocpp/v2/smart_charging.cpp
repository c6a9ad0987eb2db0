// K: smart charging. K01 SetChargingProfile (TxProfile, Absolute, W), K10 ClearChargingProfile,
// K08 GetCompositeSchedule, K15-K17 ISO 15118 charging needs and EV schedules, K09 ReportChargingProfiles.
// 2.1 (Q-block, V2X): a negative limit becomes a discharge setpoint (operationMode CentralSetpoint) with its
// dischargeLimit; 2.0.1 cannot discharge, so negative limits are sent as 0.
#include <cmath>

#include "ocpp/v2/blocks.hpp"

namespace voltpool::ocpp::v2 {

namespace {

double whole_watts(double w) { return std::round(w); }  // the schema's multipleOf 0.1 holds for whole watts

template <class T>
double value_of(const T& x) {
  if constexpr (requires { x.has_value(); }) return x.value_or(0.0);
  else return static_cast<double>(x);
}

}  // namespace

template <class V>
rpc::Reply notify_ev_charging_needs(BlockContext& ctx, const typename V::NotifyEVChargingNeedsRequest& r) {
  ChargingNeeds needs;
  const auto& n = r.chargingNeeds;
  if (n.departureTime) needs.departure = parse_ocpp_time(*n.departureTime);
  if (n.acChargingParameters) {
    const auto& ac = *n.acChargingParameters;
    needs.energy_kwh = value_of(ac.energyAmount) / 1000.0;
    needs.max_charge_w = value_of(ac.evMaxCurrent) * value_of(ac.evMaxVoltage);  // single-phase bound (K15)
  }
  if (n.dcChargingParameters) {
    const auto& dc = *n.dcChargingParameters;
    if (dc.energyAmount) needs.energy_kwh = value_of(dc.energyAmount) / 1000.0;
    if (dc.evMaxPower) needs.max_charge_w = value_of(dc.evMaxPower);
    if (dc.stateOfCharge) needs.soc_pct = static_cast<double>(*dc.stateOfCharge);
  }
  if constexpr (V::kV2X) {
    if (n.v2xChargingParameters) {
      const auto& v2x = *n.v2xChargingParameters;
      if (v2x.maxChargePower) needs.max_charge_w = *v2x.maxChargePower;
      if (v2x.maxDischargePower) needs.max_discharge_w = *v2x.maxDischargePower;
      if (v2x.evTargetEnergyRequest) needs.energy_kwh = *v2x.evTargetEnergyRequest / 1000.0;
      auto floor_wh = v2x.evMinV2XEnergyRequest ? v2x.evMinV2XEnergyRequest : v2x.evMinEnergyRequest;
      auto ceiling_wh = v2x.evMaxV2XEnergyRequest ? v2x.evMaxV2XEnergyRequest : v2x.evMaxEnergyRequest;
      if (floor_wh) needs.min_energy_kwh = *floor_wh / 1000.0;
      if (ceiling_wh) needs.max_energy_kwh = *ceiling_wh / 1000.0;
    }
  }
  ctx.backend.charging_needs(ctx.station_id, static_cast<int>(r.evseId), needs);
  typename V::NotifyEVChargingNeedsResponse response;
  response.status = decltype(response.status)::Accepted;  // K15: the TxProfile follows from the re-plan
  return rpc::Reply::ok(response);
}

template <class V>
rpc::Reply notify_ev_charging_schedule(BlockContext&) {
  typename V::NotifyEVChargingScheduleResponse response;
  response.status = decltype(response.status)::Accepted;  // K17: voltpool's profile already bounds the EV's
  return rpc::Reply::ok(response);
}

template <class V>
rpc::Reply report_charging_profiles(BlockContext&) {
  return rpc::Reply::ok(typename V::ReportChargingProfilesResponse{});
}

template <class V>
Command set_tx_profile(const std::string& transaction_id, int evse_id, int profile_id, const PowerSchedule& schedule) {
  typename V::SetChargingProfileRequest request;
  request.evseId = evse_id;
  auto& profile = request.chargingProfile;
  profile.id = profile_id;
  profile.stackLevel = 0;
  profile.chargingProfilePurpose = decltype(profile.chargingProfilePurpose)::TxProfile;
  profile.chargingProfileKind = decltype(profile.chargingProfileKind)::Absolute;
  profile.transactionId = transaction_id;  // K01.FR.03: a TxProfile names its transaction
  typename V::ChargingScheduleType s;
  s.id = profile_id;
  s.startSchedule = format_utc(schedule.start);
  s.duration = schedule.duration_s;
  s.chargingRateUnit = decltype(s.chargingRateUnit)::W;
  for (const auto& p : schedule.periods) {
    typename V::ChargingSchedulePeriodType period;
    period.startPeriod = p.start_offset_s;
    double w = whole_watts(p.limit_w);
    if constexpr (V::kV2X) {
      if (w < 0) {
        period.operationMode = decltype(period.operationMode)::value_type::CentralSetpoint;
        period.setpoint = w;
        period.dischargeLimit = w;
        period.limit = 0.0;
      } else {
        period.limit = w;
      }
    } else {
      period.limit = std::max(0.0, w);
    }
    s.chargingSchedulePeriod.push_back(period);
  }
  profile.chargingSchedule.push_back(s);
  return {"SetChargingProfile", request};
}

template <class V>
Command set_default_profile(int profile_id, double limit_w, UtcTime from) {
  typename V::SetChargingProfileRequest request;
  request.evseId = 0;  // K01: on evseId 0 a TxDefaultProfile applies to every EVSE
  auto& profile = request.chargingProfile;
  profile.id = profile_id;
  profile.stackLevel = 0;
  profile.chargingProfilePurpose = decltype(profile.chargingProfilePurpose)::TxDefaultProfile;
  profile.chargingProfileKind = decltype(profile.chargingProfileKind)::Absolute;
  typename V::ChargingScheduleType s;
  s.id = profile_id;
  s.startSchedule = format_utc(from);
  s.chargingRateUnit = decltype(s.chargingRateUnit)::W;
  typename V::ChargingSchedulePeriodType period;
  period.startPeriod = 0;
  period.limit = std::max(0.0, whole_watts(limit_w));
  s.chargingSchedulePeriod.push_back(period);
  profile.chargingSchedule.push_back(s);
  return {"SetChargingProfile", request};
}

template <class V>
Command clear_profile(int profile_id) {
  typename V::ClearChargingProfileRequest request;
  request.chargingProfileId = profile_id;
  return {"ClearChargingProfile", request};
}

template <class V>
Command get_composite_schedule(int evse_id, int duration_s) {
  typename V::GetCompositeScheduleRequest request;
  request.evseId = evse_id;
  request.duration = duration_s;
  request.chargingRateUnit = typename decltype(request.chargingRateUnit)::value_type(
      decltype(request.chargingRateUnit)::value_type::W);
  return {"GetCompositeSchedule", request};
}

template <class V>
std::optional<PowerSchedule> composite_schedule(const nlohmann::json& payload) {
  auto response = payload.get<typename V::GetCompositeScheduleResponse>();
  if (response.status != decltype(response.status)::Accepted || !response.schedule) return std::nullopt;
  PowerSchedule out;
  out.start = parse_ocpp_time(response.schedule->scheduleStart).value_or(utc_now());
  out.duration_s = static_cast<int>(response.schedule->duration);
  bool amps = response.schedule->chargingRateUnit == decltype(response.schedule->chargingRateUnit)::A;
  for (const auto& p : response.schedule->chargingSchedulePeriod) {
    double limit = value_of(p.limit);
    if constexpr (V::kV2X) {
      if (p.setpoint && *p.setpoint < 0) limit = *p.setpoint;
    }
    double phases = static_cast<double>(p.numberPhases.value_or(3));
    out.periods.push_back({static_cast<int>(p.startPeriod), amps ? limit * 230.0 * phases : limit});
  }
  return out;
}

#define INSTANTIATE(V)                                                                                      \
  template rpc::Reply notify_ev_charging_needs<V>(BlockContext&, const V::NotifyEVChargingNeedsRequest&);   \
  template rpc::Reply notify_ev_charging_schedule<V>(BlockContext&);                                        \
  template rpc::Reply report_charging_profiles<V>(BlockContext&);                                           \
  template Command set_tx_profile<V>(const std::string&, int, int, const PowerSchedule&);                   \
  template Command set_default_profile<V>(int, double, UtcTime);                                            \
  template Command clear_profile<V>(int);                                                                   \
  template Command get_composite_schedule<V>(int, int);                                                     \
  template std::optional<PowerSchedule> composite_schedule<V>(const nlohmann::json&);
VOLTPOOL_OCPP_V2_INSTANTIATE(INSTANTIATE)

}  // namespace voltpool::ocpp::v2
