// OCPP 1.6J, CSMS side, by functional block (OCPP 1.6 edition 2 §4-§6 and the smart charging profile §3.13).
// Each function handles one message type; blocks.cpp ties them into a ProtocolBlocks.
#pragma once

#include <nlohmann/json.hpp>

#include "ocpp/csms/context.hpp"
#include "ocpp/csms/protocol_blocks.hpp"
#include "ocpp/generated/v16.hpp"

namespace voltpool::ocpp::v16 {

// The 1.6 blocks behind ProtocolBlocks, for one connected station.
std::unique_ptr<ProtocolBlocks> make_blocks(std::string station_id, CsmsBackend& backend);

// Core profile: provisioning (provisioning.cpp)
rpc::Reply boot_notification(BlockContext& ctx, const BootNotificationRequest& request);
rpc::Reply heartbeat(BlockContext& ctx);
rpc::Reply status_notification(BlockContext& ctx, const StatusNotificationRequest& request);

// Core profile: authorization (authorization.cpp)
rpc::Reply authorize(BlockContext& ctx, const AuthorizeRequest& request);

// Core profile: transactions and meter values (transactions.cpp, meter_values.cpp)
rpc::Reply start_transaction(BlockContext& ctx, const StartTransactionRequest& request);
rpc::Reply stop_transaction(BlockContext& ctx, const StopTransactionRequest& request);
rpc::Reply meter_values(BlockContext& ctx, const MeterValuesRequest& request);

// Smart charging profile (smart_charging.cpp)
Command set_tx_profile(const std::string& transaction_id, int connector_id, int profile_id,
                       const PowerSchedule& schedule);
Command set_default_profile(int profile_id, double limit_w, UtcTime from);
Command clear_profile(int profile_id);
Command get_composite_schedule(int connector_id, int duration_s);
std::optional<PowerSchedule> composite_schedule(const nlohmann::json& response);

// Remote trigger (remote_control.cpp)
Command remote_start(int connector_id, const std::string& id_tag);
Command remote_stop(const std::string& transaction_id);

}  // namespace voltpool::ocpp::v16
