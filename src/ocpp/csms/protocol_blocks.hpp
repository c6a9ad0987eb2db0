// The functional blocks of one OCPP version behind one interface, so a station session does not care which
// version its station speaks: incoming CALLs are handled here, outgoing commands are encoded and their
// answers decoded here. Implementations: v16/blocks.cpp (1.6J), v2/blocks.cpp (2.0.1 and 2.1).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

#include "ocpp/csms/backend.hpp"
#include "ocpp/rpc/endpoint.hpp"

namespace voltpool::ocpp {

// An outgoing CALL: action and payload.
struct Command {
  std::string action;
  nlohmann::json payload;
};

class ProtocolBlocks {
 public:
  virtual ~ProtocolBlocks() = default;

  // Handles a schema-valid incoming CALL.
  virtual rpc::Reply handle(std::string_view action, const nlohmann::json& payload) = 0;

  // Smart charging (1.6 §5.16 SetChargingProfile; 2.0.1 K01): a TxProfile for the transaction running at the
  // EVSE, limits in W (negative = discharge, 2.1 only), absolute from the schedule's start.
  virtual Command set_tx_profile(const std::string& transaction_id, int evse_id, int profile_id,
                                 const PowerSchedule& schedule) const = 0;
  // The station's fail-safe (1.6 §3.13.2 / 2.0.1 K01): a TxDefaultProfile on every connector (evse 0) with one
  // constant limit, in force whenever no TxProfile is, e.g. while the CSMS is unreachable.
  virtual Command set_default_profile(int profile_id, double limit_w, UtcTime from) const = 0;
  // 1.6 §5.5 ClearChargingProfile / 2.0.1 K10, by profile id.
  virtual Command clear_profile(int profile_id) const = 0;
  // 1.6 §5.7 GetCompositeSchedule / 2.0.1 K08, in W.
  virtual Command get_composite_schedule(int evse_id, int duration_s) const = 0;
  virtual std::optional<PowerSchedule> composite_schedule(const nlohmann::json& response) const = 0;
  // Remote start/stop (1.6 §5.11/§5.12, 2.0.1 F01/F03).
  virtual Command remote_start(int evse_id, const std::string& id_token, int remote_start_id) const = 0;
  virtual Command remote_stop(const std::string& transaction_id) const = 0;

  // Whether a response to one of the commands above says the station accepted it ("status": "Accepted").
  static bool accepted(const nlohmann::json& response) {
    return response.is_object() && response.value("status", "") == "Accepted";
  }
};

std::unique_ptr<ProtocolBlocks> make_blocks(rpc::ProtocolVersion version, std::string station_id,
                                            CsmsBackend& backend);

}  // namespace voltpool::ocpp
