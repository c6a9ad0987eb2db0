// What a simulated charging station says and understands, in each OCPP version. Payloads are checked against
// the official schemas by the RPC endpoint before they are sent (and answers to the CSMS's calls likewise),
// so a mistake here fails loudly instead of going out.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/time.hpp"
#include "ocpp/csms/backend.hpp"
#include "ocpp/csms/protocol_blocks.hpp"
#include "ocpp/rpc/version.hpp"

namespace voltpool::chargers {

using ocpp::Command;
using ocpp::rpc::ProtocolVersion;

struct TxInfo {
  std::string transaction_id;  // 1.6: known once StartTransaction is answered
  std::string id_tag;
  int evse_id = 1;
  int seq_no = 0;  // 2.x TransactionEvent sequence
};

Command boot_notification(ProtocolVersion v);
Command status_notification(ProtocolVersion v, int evse_id, bool occupied, UtcTime now);
Command authorize(ProtocolVersion v, const std::string& id_tag);
// 1.6 StartTransaction, 2.x TransactionEvent Started.
Command start_transaction(ProtocolVersion v, TxInfo& tx, double meter_wh, UtcTime now);
// The transaction id a StartTransaction answer assigns (1.6); nothing for 2.x.
std::optional<std::string> assigned_transaction_id(ProtocolVersion v, const nlohmann::json& response);
// 1.6 MeterValues, 2.x TransactionEvent Updated with a periodic meter value: the import register, the export
// register when V2X gave energy back, and the power (negative: exporting).
Command meter_values(ProtocolVersion v, TxInfo& tx, double meter_wh, double export_wh, double power_w, UtcTime now);
// A V2X EV's energy window from now (Wh): the floor is negative (what it can give), the ceiling above its need.
struct V2xWindow {
  double floor_wh = 0, ceiling_wh = 0;
};

// 2.x only (ISO 15118 via NotifyEVChargingNeeds): departure and energy wanted. With `v2x` (2.1 only) the EV
// offers discharge at `max_power_w` within that window.
std::optional<Command> charging_needs(ProtocolVersion v, const TxInfo& tx, UtcTime departure, double energy_wh,
                                      double max_power_w, std::optional<V2xWindow> v2x = std::nullopt);
// 1.6 StopTransaction, 2.x TransactionEvent Ended.
Command stop_transaction(ProtocolVersion v, TxInfo& tx, double meter_wh, UtcTime now);

// A SetChargingProfile the station got: the transaction it is for and its schedule in W (nothing when it is not
// a TxProfile in W this simulator can follow).
struct ReceivedProfile {
  std::string transaction_id;
  ocpp::PowerSchedule schedule;
};
std::optional<ReceivedProfile> received_profile(ProtocolVersion v, const nlohmann::json& set_charging_profile);
// The limit of a TxDefaultProfile (W, one constant period), or nothing when it is not one.
std::optional<double> received_default_limit_w(ProtocolVersion v, const nlohmann::json& set_charging_profile);
// The answer to GetCompositeSchedule from the profile in force.
nlohmann::json composite_schedule_response(ProtocolVersion v, const nlohmann::json& request,
                                           const std::optional<ocpp::PowerSchedule>& active, UtcTime now);

}  // namespace voltpool::chargers
