// OCPP 1.6J behind ProtocolBlocks: routes each action to its block.
#include "ocpp/v16/blocks.hpp"

#include <fmt/format.h>

namespace voltpool::ocpp::v16 {

namespace {

class Blocks final : public ProtocolBlocks {
 public:
  Blocks(std::string station_id, CsmsBackend& backend) : ctx_{std::move(station_id), backend} {}

  rpc::Reply handle(std::string_view action, const nlohmann::json& payload) override {
    if (action == "BootNotification") return boot_notification(ctx_, payload.get<BootNotificationRequest>());
    if (action == "Heartbeat") return heartbeat(ctx_);
    if (action == "StatusNotification") return status_notification(ctx_, payload.get<StatusNotificationRequest>());
    if (action == "Authorize") return authorize(ctx_, payload.get<AuthorizeRequest>());
    if (action == "StartTransaction") return start_transaction(ctx_, payload.get<StartTransactionRequest>());
    if (action == "StopTransaction") return stop_transaction(ctx_, payload.get<StopTransactionRequest>());
    if (action == "MeterValues") return meter_values(ctx_, payload.get<MeterValuesRequest>());
    return rpc::Reply::fail(rpc::RpcError::not_supported, fmt::format("voltpool does not handle {}", action));
  }

  Command set_tx_profile(const std::string& transaction_id, int evse_id, int profile_id,
                         const PowerSchedule& schedule) const override {
    return v16::set_tx_profile(transaction_id, evse_id, profile_id, schedule);
  }
  Command set_default_profile(int profile_id, double limit_w, UtcTime from) const override {
    return v16::set_default_profile(profile_id, limit_w, from);
  }
  Command clear_profile(int profile_id) const override { return v16::clear_profile(profile_id); }
  Command get_composite_schedule(int evse_id, int duration_s) const override {
    return v16::get_composite_schedule(evse_id, duration_s);
  }
  std::optional<PowerSchedule> composite_schedule(const nlohmann::json& response) const override {
    return v16::composite_schedule(response);
  }
  Command remote_start(int evse_id, const std::string& id_token, int) const override {
    return v16::remote_start(evse_id, id_token);
  }
  Command remote_stop(const std::string& transaction_id) const override { return v16::remote_stop(transaction_id); }

 private:
  BlockContext ctx_;
};

}  // namespace

std::unique_ptr<ProtocolBlocks> make_blocks(std::string station_id, CsmsBackend& backend) {
  return std::make_unique<Blocks>(std::move(station_id), backend);
}

}  // namespace voltpool::ocpp::v16
