// B01 BootNotification (Accepted with the heartbeat interval), G02 Heartbeat,
// G01 StatusNotification.
#include "ocpp/v2/blocks.hpp"

namespace voltpool::ocpp::v2 {

template <class V>
rpc::Reply boot_notification(BlockContext& ctx, const typename V::BootNotificationRequest& r) {
  BootInfo info{r.chargingStation.vendorName, r.chargingStation.model, r.chargingStation.serialNumber.value_or(""),
                r.chargingStation.firmwareVersion.value_or("")};
  typename V::BootNotificationResponse response;
  response.currentTime = format_utc(utc_now());
  response.interval = ctx.backend.boot(ctx.station_id, info);  // B01.FR.05: Accepted carries the interval
  response.status = V::RegistrationStatusEnumType::Accepted;
  return rpc::Reply::ok(response);
}

template <class V>
rpc::Reply heartbeat(BlockContext&) {
  typename V::HeartbeatResponse response;
  response.currentTime = format_utc(utc_now());  // G02.FR.02
  return rpc::Reply::ok(response);
}

template <class V>
rpc::Reply status_notification(BlockContext& ctx, const typename V::StatusNotificationRequest& r) {
  ctx.backend.connector_status(ctx.station_id, static_cast<int>(r.evseId), static_cast<int>(r.connectorId),
                               std::string(to_string(r.connectorStatus)), parse_ocpp_time(r.timestamp).value_or(utc_now()));
  return rpc::Reply::ok(nlohmann::json::object());
}

#define INSTANTIATE(V)                                                                              \
  template rpc::Reply boot_notification<V>(BlockContext&, const V::BootNotificationRequest&);       \
  template rpc::Reply heartbeat<V>(BlockContext&);                                                  \
  template rpc::Reply status_notification<V>(BlockContext&, const V::StatusNotificationRequest&);
VOLTPOOL_OCPP_V2_INSTANTIATE(INSTANTIATE)

}  // namespace voltpool::ocpp::v2
