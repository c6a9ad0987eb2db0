// OCPP 1.6 Core: BootNotification (§4.2), Heartbeat (§4.6), StatusNotification (§4.9).
#include "ocpp/v16/blocks.hpp"

namespace voltpool::ocpp::v16 {

rpc::Reply boot_notification(BlockContext& ctx, const BootNotificationRequest& request) {
  BootInfo info{request.chargePointVendor, request.chargePointModel,
                request.chargePointSerialNumber.value_or(""), request.firmwareVersion.value_or("")};
  int interval_s = ctx.backend.boot(ctx.station_id, info);
  BootNotificationResponse response;
  response.status = BootNotificationResponse_Status::Accepted;
  response.currentTime = format_utc(utc_now());
  response.interval = interval_s;  // §4.2: Accepted carries the heartbeat interval
  return rpc::Reply::ok(response);
}

rpc::Reply heartbeat(BlockContext&) { return rpc::Reply::ok(HeartbeatResponse{format_utc(utc_now())}); }

rpc::Reply status_notification(BlockContext& ctx, const StatusNotificationRequest& request) {
  UtcTime time = request.timestamp ? parse_ocpp_time(*request.timestamp).value_or(utc_now()) : utc_now();
  int connector = static_cast<int>(request.connectorId);
  ctx.backend.connector_status(ctx.station_id, connector, connector, std::string(to_string(request.status)), time);
  return rpc::Reply::ok(nlohmann::json::object());
}

}  // namespace voltpool::ocpp::v16
