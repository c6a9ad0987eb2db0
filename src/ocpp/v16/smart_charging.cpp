// OCPP 1.6 Smart Charging profile: SetChargingProfile (§5.16), ClearChargingProfile (§5.5),
// GetCompositeSchedule (§5.7). voltpool sends TxProfiles in W, kind Absolute, on stack level 0.
// 1.6 cannot discharge: negative limits are sent as 0.
#include <cmath>

#include "ocpp/v16/blocks.hpp"

namespace voltpool::ocpp::v16 {

namespace {

// Limits are multiples of 0.1 in the schema; whole watts satisfy that exactly.
double whole_watts(double w) { return std::max(0.0, std::round(w)); }

// A current limit as watts at 230 V per phase (1.6 §3.13.1: stations may report in A).
constexpr double kVoltsPerPhase = 230.0;

}  // namespace

Command set_tx_profile(const std::string& transaction_id, int connector_id, int profile_id,
                       const PowerSchedule& schedule) {
  using Profiles = SetChargingProfileRequest_CsChargingProfiles;
  SetChargingProfileRequest request;
  request.connectorId = connector_id;
  Profiles& profile = request.csChargingProfiles;
  profile.chargingProfileId = profile_id;
  profile.transactionId = std::stoll(transaction_id);
  profile.stackLevel = 0;
  profile.chargingProfilePurpose = SetChargingProfileRequest_CsChargingProfiles_ChargingProfilePurpose::TxProfile;
  profile.chargingProfileKind = SetChargingProfileRequest_CsChargingProfiles_ChargingProfileKind::Absolute;
  profile.chargingSchedule.duration = schedule.duration_s;
  profile.chargingSchedule.startSchedule = format_utc(schedule.start);
  profile.chargingSchedule.chargingRateUnit =
      SetChargingProfileRequest_CsChargingProfiles_ChargingSchedule_ChargingRateUnit::W;
  for (const auto& p : schedule.periods)
    profile.chargingSchedule.chargingSchedulePeriod.push_back({p.start_offset_s, whole_watts(p.limit_w), std::nullopt});
  return {"SetChargingProfile", request};
}

Command set_default_profile(int profile_id, double limit_w, UtcTime from) {
  SetChargingProfileRequest request;
  request.connectorId = 0;  // every connector
  auto& profile = request.csChargingProfiles;
  profile.chargingProfileId = profile_id;
  profile.stackLevel = 0;
  profile.chargingProfilePurpose = SetChargingProfileRequest_CsChargingProfiles_ChargingProfilePurpose::TxDefaultProfile;
  profile.chargingProfileKind = SetChargingProfileRequest_CsChargingProfiles_ChargingProfileKind::Absolute;
  profile.chargingSchedule.startSchedule = format_utc(from);
  profile.chargingSchedule.chargingRateUnit =
      SetChargingProfileRequest_CsChargingProfiles_ChargingSchedule_ChargingRateUnit::W;
  profile.chargingSchedule.chargingSchedulePeriod.push_back({0, whole_watts(limit_w), std::nullopt});
  return {"SetChargingProfile", request};
}

Command clear_profile(int profile_id) {
  ClearChargingProfileRequest request;
  request.id = profile_id;
  return {"ClearChargingProfile", request};
}

Command get_composite_schedule(int connector_id, int duration_s) {
  GetCompositeScheduleRequest request;
  request.connectorId = connector_id;
  request.duration = duration_s;
  request.chargingRateUnit = GetCompositeScheduleRequest_ChargingRateUnit::W;
  return {"GetCompositeSchedule", request};
}

std::optional<PowerSchedule> composite_schedule(const nlohmann::json& payload) {
  auto response = payload.get<GetCompositeScheduleResponse>();
  if (response.status != GetCompositeScheduleResponse_Status::Accepted || !response.chargingSchedule) return std::nullopt;
  const auto& schedule = *response.chargingSchedule;
  PowerSchedule out;
  std::string start = response.scheduleStart.value_or(schedule.startSchedule.value_or(""));
  out.start = parse_ocpp_time(start).value_or(utc_now());
  out.duration_s = static_cast<int>(schedule.duration.value_or(0));
  bool amps = schedule.chargingRateUnit == GetCompositeScheduleResponse_ChargingSchedule_ChargingRateUnit::A;
  for (const auto& p : schedule.chargingSchedulePeriod) {
    double phases = static_cast<double>(p.numberPhases.value_or(3));
    out.periods.push_back({static_cast<int>(p.startPeriod), amps ? p.limit * kVoltsPerPhase * phases : p.limit});
  }
  return out;
}

}  // namespace voltpool::ocpp::v16
