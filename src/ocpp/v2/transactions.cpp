// E: transactions. TransactionEvent Started / Updated / Ended (E01-E07): the station names the transaction; an
// Updated or Ended for a transaction voltpool has not seen (started offline, E04) starts it first, so no
// metered energy is lost.
#include <fmt/format.h>

#include "ocpp/v2/blocks.hpp"

namespace voltpool::ocpp::v2 {

template <class V>
rpc::Reply transaction_event(BlockContext& ctx, const typename V::TransactionEventRequest& r) {
  using Event = typename V::TransactionEventEnumType;
  auto samples = samples_of<V>(r.meterValue.value_or(std::vector<typename V::MeterValueType>{}));
  if (auto* error = std::get_if<std::string>(&samples)) return rpc::Reply::fail(rpc::RpcError::format, *error);
  const auto& readings = std::get<std::vector<MeterSample>>(samples);
  UtcTime time = parse_ocpp_time(r.timestamp).value_or(utc_now());
  const std::string& id = r.transactionInfo.transactionId;
  int evse = r.evse ? static_cast<int>(r.evse->id) : 0;

  typename V::TransactionEventResponse response;
  if (r.idToken) response.idTokenInfo = id_token_info<V>(ctx.backend.authorize(ctx.station_id, r.idToken->idToken));

  auto start = [&] {
    TransactionStart s;
    s.station_id = ctx.station_id;
    s.transaction_id = id;
    s.evse_id = evse > 0 ? evse : 1;
    s.connector_id = r.evse && r.evse->connectorId ? static_cast<int>(*r.evse->connectorId) : 1;
    s.id_token = r.idToken ? r.idToken->idToken : "";
    s.time = time;
    for (const auto& m : readings)
      if (m.energy_import_wh && !s.meter_start_wh) s.meter_start_wh = m.energy_import_wh;
    ctx.backend.start_transaction(s);
  };
  bool known = ctx.backend.meter_values(ctx.station_id, id, evse, readings);
  if (r.eventType == Event::Started || !known) {
    start();
    if (!readings.empty()) ctx.backend.meter_values(ctx.station_id, id, evse, readings);
  }
  if (r.eventType == Event::Ended) {
    TransactionStop stop;
    stop.station_id = ctx.station_id;
    stop.transaction_id = id;
    stop.time = time;
    for (const auto& m : readings)
      if (m.energy_import_wh) stop.meter_stop_wh = m.energy_import_wh;
    stop.reason = r.transactionInfo.stoppedReason ? std::string(to_string(*r.transactionInfo.stoppedReason)) : "Local";
    ctx.backend.stop_transaction(stop);
  }
  return rpc::Reply::ok(response);
}

#define INSTANTIATE(V) template rpc::Reply transaction_event<V>(BlockContext&, const V::TransactionEventRequest&);
VOLTPOOL_OCPP_V2_INSTANTIATE(INSTANTIATE)

}  // namespace voltpool::ocpp::v2
