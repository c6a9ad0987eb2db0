// OCPP 2.0.1 / 2.1 behind ProtocolBlocks: routes each action to its block.
#include "ocpp/v2/blocks.hpp"

#include <fmt/format.h>

namespace voltpool::ocpp::v2 {

namespace {

template <class V>
class Blocks final : public ProtocolBlocks {
 public:
  Blocks(std::string station_id, CsmsBackend& backend) : ctx_{std::move(station_id), backend} {}

  rpc::Reply handle(std::string_view action, const nlohmann::json& p) override {
    if (action == "BootNotification") return boot_notification<V>(ctx_, p.get<typename V::BootNotificationRequest>());
    if (action == "Heartbeat") return heartbeat<V>(ctx_);
    if (action == "StatusNotification") return status_notification<V>(ctx_, p.get<typename V::StatusNotificationRequest>());
    if (action == "Authorize") return authorize<V>(ctx_, p.get<typename V::AuthorizeRequest>());
    if (action == "TransactionEvent") return transaction_event<V>(ctx_, p.get<typename V::TransactionEventRequest>());
    if (action == "MeterValues") return meter_values<V>(ctx_, p.get<typename V::MeterValuesRequest>());
    if (action == "NotifyEVChargingNeeds")
      return notify_ev_charging_needs<V>(ctx_, p.get<typename V::NotifyEVChargingNeedsRequest>());
    if (action == "NotifyEVChargingSchedule") return notify_ev_charging_schedule<V>(ctx_);
    if (action == "ReportChargingProfiles") return report_charging_profiles<V>(ctx_);
    return rpc::Reply::fail(rpc::RpcError::not_supported, fmt::format("voltpool does not handle {}", action));
  }

  Command set_tx_profile(const std::string& transaction_id, int evse_id, int profile_id,
                         const PowerSchedule& schedule) const override {
    return v2::set_tx_profile<V>(transaction_id, evse_id, profile_id, schedule);
  }
  Command set_default_profile(int profile_id, double limit_w, UtcTime from) const override {
    return v2::set_default_profile<V>(profile_id, limit_w, from);
  }
  Command clear_profile(int profile_id) const override { return v2::clear_profile<V>(profile_id); }
  Command get_composite_schedule(int evse_id, int duration_s) const override {
    return v2::get_composite_schedule<V>(evse_id, duration_s);
  }
  std::optional<PowerSchedule> composite_schedule(const nlohmann::json& response) const override {
    return v2::composite_schedule<V>(response);
  }
  Command remote_start(int evse_id, const std::string& id_token, int remote_start_id) const override {
    return v2::remote_start<V>(evse_id, id_token, remote_start_id);
  }
  Command remote_stop(const std::string& transaction_id) const override { return v2::remote_stop<V>(transaction_id); }

 private:
  BlockContext ctx_;
};

}  // namespace

template <class V>
std::unique_ptr<ProtocolBlocks> make_blocks(std::string station_id, CsmsBackend& backend) {
  return std::make_unique<Blocks<V>>(std::move(station_id), backend);
}

template std::unique_ptr<ProtocolBlocks> make_blocks<V201>(std::string, CsmsBackend&);
template std::unique_ptr<ProtocolBlocks> make_blocks<V21>(std::string, CsmsBackend&);

}  // namespace voltpool::ocpp::v2
