// OCPP 2.0.1 and 2.1, CSMS side, by functional block (2.0.1 Part 2: B provisioning, C authorization,
// E transactions, J meter values, K smart charging, F remote control; 2.1 adds V2X to K and the Q block).
// Each function template is instantiated for V201 and V21 (versions.hpp) in its block's file.
#pragma once

#include <nlohmann/json.hpp>

#include "ocpp/csms/context.hpp"
#include "ocpp/csms/protocol_blocks.hpp"
#include "ocpp/v2/versions.hpp"

namespace voltpool::ocpp::v2 {

// The 2.x blocks behind ProtocolBlocks, for one connected station.
template <class V>
std::unique_ptr<ProtocolBlocks> make_blocks(std::string station_id, CsmsBackend& backend);

// B: provisioning (provisioning.cpp)
template <class V> rpc::Reply boot_notification(BlockContext& ctx, const typename V::BootNotificationRequest& r);
template <class V> rpc::Reply heartbeat(BlockContext& ctx);
template <class V> rpc::Reply status_notification(BlockContext& ctx, const typename V::StatusNotificationRequest& r);

// C: authorization (authorization.cpp)
template <class V> rpc::Reply authorize(BlockContext& ctx, const typename V::AuthorizeRequest& r);
template <class V> typename V::IdTokenInfoType id_token_info(TokenStatus status);

// E: transactions (transactions.cpp); J: meter values (meter_values.cpp)
template <class V> rpc::Reply transaction_event(BlockContext& ctx, const typename V::TransactionEventRequest& r);
template <class V> rpc::Reply meter_values(BlockContext& ctx, const typename V::MeterValuesRequest& r);
// The samples of OCPP MeterValueType entries; an error text when a timestamp cannot be read.
template <class V>
std::variant<std::vector<MeterSample>, std::string> samples_of(const std::vector<typename V::MeterValueType>& values);

// K: smart charging (smart_charging.cpp)
template <class V> rpc::Reply notify_ev_charging_needs(BlockContext& ctx, const typename V::NotifyEVChargingNeedsRequest& r);
template <class V> rpc::Reply notify_ev_charging_schedule(BlockContext& ctx);
template <class V> rpc::Reply report_charging_profiles(BlockContext& ctx);
template <class V>
Command set_tx_profile(const std::string& transaction_id, int evse_id, int profile_id, const PowerSchedule& schedule);
template <class V> Command set_default_profile(int profile_id, double limit_w, UtcTime from);
template <class V> Command clear_profile(int profile_id);
template <class V> Command get_composite_schedule(int evse_id, int duration_s);
template <class V> std::optional<PowerSchedule> composite_schedule(const nlohmann::json& response);

// F: remote control (remote_control.cpp)
template <class V> Command remote_start(int evse_id, const std::string& id_token, int remote_start_id);
template <class V> Command remote_stop(const std::string& transaction_id);

// Explicit instantiation for both versions, at the end of each block's file.
#define VOLTPOOL_OCPP_V2_INSTANTIATE(macro) macro(V201) macro(V21)

}  // namespace voltpool::ocpp::v2
