#include "chargers/station_messages.hpp"

#include "ocpp/csms/context.hpp"

#include <cmath>

namespace voltpool::chargers {

using nlohmann::json;

namespace {

bool v16(ProtocolVersion v) { return v == ProtocolVersion::ocpp16; }

// Import register, export register (V2X) and the power, as its direction's measurand.
json meter_value(ProtocolVersion v, double import_wh, double export_wh, double power_w, UtcTime now, const char* context) {
  std::vector<std::pair<const char*, double>> readings = {{"Energy.Active.Import.Register", import_wh}};
  if (export_wh > 0) readings.push_back({"Energy.Active.Export.Register", export_wh});
  readings.push_back({power_w < 0 ? "Power.Active.Export" : "Power.Active.Import", std::abs(power_w)});
  json sampled = json::array();
  for (auto [measurand, value] : readings) {
    json one = {{"context", context}, {"measurand", measurand}};
    if (v16(v)) {
      one["value"] = std::to_string(std::llround(value));
      one["unit"] = std::string(measurand).find("Energy") == 0 ? "Wh" : "W";
    } else {
      one["value"] = std::round(value);
    }
    sampled.push_back(one);
  }
  return json::array({{{"timestamp", format_utc(now)}, {"sampledValue", sampled}}});
}

json transaction_event(TxInfo& tx, const char* event, const char* trigger, UtcTime now) {
  return {{"eventType", event}, {"timestamp", format_utc(now)}, {"triggerReason", trigger}, {"seqNo", tx.seq_no++},
          {"transactionInfo", {{"transactionId", tx.transaction_id}}},
          {"evse", {{"id", tx.evse_id}, {"connectorId", 1}}}};
}

}  // namespace

Command boot_notification(ProtocolVersion v) {
  if (v16(v)) return {"BootNotification", {{"chargePointVendor", "voltpool"}, {"chargePointModel", "simulated"}}};
  return {"BootNotification",
          {{"reason", "PowerUp"}, {"chargingStation", {{"vendorName", "voltpool"}, {"model", "simulated"}}}}};
}

Command status_notification(ProtocolVersion v, int evse_id, bool occupied, UtcTime now) {
  if (v16(v))
    return {"StatusNotification", {{"connectorId", evse_id}, {"errorCode", "NoError"},
                                   {"status", occupied ? "Preparing" : "Available"}, {"timestamp", format_utc(now)}}};
  return {"StatusNotification", {{"timestamp", format_utc(now)}, {"connectorStatus", occupied ? "Occupied" : "Available"},
                                 {"evseId", evse_id}, {"connectorId", 1}}};
}

Command authorize(ProtocolVersion v, const std::string& id_tag) {
  if (v16(v)) return {"Authorize", {{"idTag", id_tag}}};
  return {"Authorize", {{"idToken", {{"idToken", id_tag}, {"type", "ISO14443"}}}}};
}

Command start_transaction(ProtocolVersion v, TxInfo& tx, double meter_wh, UtcTime now) {
  if (v16(v))
    return {"StartTransaction", {{"connectorId", tx.evse_id}, {"idTag", tx.id_tag},
                                 {"meterStart", std::llround(meter_wh)}, {"timestamp", format_utc(now)}}};
  json e = transaction_event(tx, "Started", "Authorized", now);
  e["idToken"] = {{"idToken", tx.id_tag}, {"type", "ISO14443"}};
  e["meterValue"] = meter_value(v, meter_wh, 0, 0, now, "Transaction.Begin");
  return {"TransactionEvent", e};
}

std::optional<std::string> assigned_transaction_id(ProtocolVersion v, const json& response) {
  if (!v16(v) || !response.contains("transactionId")) return std::nullopt;
  return std::to_string(response["transactionId"].get<std::int64_t>());
}

Command meter_values(ProtocolVersion v, TxInfo& tx, double meter_wh, double export_wh, double power_w, UtcTime now) {
  if (v16(v))
    return {"MeterValues", {{"connectorId", tx.evse_id}, {"transactionId", std::stoll(tx.transaction_id)},
                            {"meterValue", meter_value(v, meter_wh, export_wh, power_w, now, "Sample.Periodic")}}};
  json e = transaction_event(tx, "Updated", "MeterValuePeriodic", now);
  e["meterValue"] = meter_value(v, meter_wh, export_wh, power_w, now, "Sample.Periodic");
  return {"TransactionEvent", e};
}

std::optional<Command> charging_needs(ProtocolVersion v, const TxInfo& tx, UtcTime departure, double energy_wh,
                                      double max_power_w, std::optional<V2xWindow> v2x) {
  if (v16(v)) return std::nullopt;
  if (v == ProtocolVersion::ocpp21 && v2x) {
    return Command{"NotifyEVChargingNeeds",
                   {{"evseId", tx.evse_id},
                    {"chargingNeeds", {{"requestedEnergyTransfer", "AC_BPT"},
                                       {"departureTime", format_utc(departure)},
                                       {"v2xChargingParameters", {{"maxChargePower", std::round(max_power_w)},
                                                                  {"maxDischargePower", std::round(max_power_w)},
                                                                  {"evTargetEnergyRequest", std::round(energy_wh)},
                                                                  {"evMinV2XEnergyRequest", std::round(v2x->floor_wh)},
                                                                  {"evMaxV2XEnergyRequest", std::round(v2x->ceiling_wh)}}}}}}};
  }
  // AC three-phase at 400 V: the EV's current limit from its power.
  double max_current_a = std::max(6.0, std::floor(max_power_w / (400.0 * std::sqrt(3.0))));
  return Command{"NotifyEVChargingNeeds",
                 {{"evseId", tx.evse_id},
                  {"chargingNeeds", {{"requestedEnergyTransfer", "AC_three_phase"},
                                     {"departureTime", format_utc(departure)},
                                     {"acChargingParameters", {{"energyAmount", std::llround(energy_wh)},
                                                               {"evMinCurrent", 6},
                                                               {"evMaxCurrent", std::llround(max_current_a)},
                                                               {"evMaxVoltage", 400}}}}}}};
}

Command stop_transaction(ProtocolVersion v, TxInfo& tx, double meter_wh, UtcTime now) {
  if (v16(v))
    return {"StopTransaction", {{"transactionId", std::stoll(tx.transaction_id)}, {"meterStop", std::llround(meter_wh)},
                                {"timestamp", format_utc(now)}, {"reason", "EVDisconnected"}}};
  json e = transaction_event(tx, "Ended", "EVDeparted", now);
  e["transactionInfo"]["stoppedReason"] = "EVDisconnected";
  e["meterValue"] = meter_value(v, meter_wh, 0, 0, now, "Transaction.End");
  return {"TransactionEvent", e};
}

std::optional<ReceivedProfile> received_profile(ProtocolVersion v, const json& p) {
  const json& profile = v16(v) ? p["csChargingProfiles"] : p["chargingProfile"];
  if (profile.value("chargingProfilePurpose", "") != "TxProfile" || !profile.contains("transactionId")) return std::nullopt;
  const json& schedule = v16(v) ? profile["chargingSchedule"] : profile["chargingSchedule"][0];
  if (schedule.value("chargingRateUnit", "") != "W" || !schedule.contains("startSchedule")) return std::nullopt;
  auto start = ocpp::parse_ocpp_time(schedule["startSchedule"].get<std::string>());
  if (!start) return std::nullopt;
  ReceivedProfile out;
  out.transaction_id = profile["transactionId"].is_string() ? profile["transactionId"].get<std::string>()
                                                            : std::to_string(profile["transactionId"].get<std::int64_t>());
  out.schedule.start = *start;
  out.schedule.duration_s = schedule.value("duration", 0);
  for (const auto& period : schedule["chargingSchedulePeriod"]) {
    double limit = period.value("limit", 0.0);
    if (period.contains("setpoint")) limit = period["setpoint"].get<double>();
    out.schedule.periods.push_back({period["startPeriod"].get<int>(), limit});
  }
  return out;
}

std::optional<double> received_default_limit_w(ProtocolVersion v, const json& p) {
  const json& profile = v16(v) ? p["csChargingProfiles"] : p["chargingProfile"];
  if (profile.value("chargingProfilePurpose", "") != "TxDefaultProfile") return std::nullopt;
  const json& schedule = v16(v) ? profile["chargingSchedule"] : profile["chargingSchedule"][0];
  if (schedule.value("chargingRateUnit", "") != "W" || schedule["chargingSchedulePeriod"].size() != 1) return std::nullopt;
  return schedule["chargingSchedulePeriod"][0].value("limit", 0.0);
}

json composite_schedule_response(ProtocolVersion v, const json& request, const std::optional<ocpp::PowerSchedule>& active,
                                 UtcTime now) {
  if (!active) return {{"status", "Rejected"}};
  int duration = request.value("duration", 0);
  std::int64_t elapsed = (now - active->start).count();
  json periods = json::array();
  for (const auto& p : active->periods) {
    std::int64_t offset = std::max<std::int64_t>(0, p.start_offset_s - elapsed);
    if (!periods.empty() && periods.back()["startPeriod"] == offset) periods.erase(periods.size() - 1);
    if (offset < duration || periods.empty()) periods.push_back({{"startPeriod", offset}, {"limit", std::max(0.0, p.limit_w)}});
  }
  if (v16(v))
    return {{"status", "Accepted"}, {"connectorId", request["connectorId"]}, {"scheduleStart", format_utc(now)},
            {"chargingSchedule", {{"duration", duration}, {"chargingRateUnit", "W"}, {"chargingSchedulePeriod", periods}}}};
  return {{"status", "Accepted"},
          {"schedule", {{"evseId", request["evseId"]}, {"duration", duration}, {"scheduleStart", format_utc(now)},
                        {"chargingRateUnit", "W"}, {"chargingSchedulePeriod", periods}}}};
}

}  // namespace voltpool::chargers
