// OCPP 1.6 Core: StartTransaction (§4.8) and StopTransaction (§4.10). The CSMS assigns 1.6 transaction ids.
#include <fmt/format.h>

#include "ocpp/v16/blocks.hpp"

namespace voltpool::ocpp::v16 {

StartTransactionResponse_IdTagInfo_Status start_tag_status(TokenStatus status);  // authorization.cpp

rpc::Reply start_transaction(BlockContext& ctx, const StartTransactionRequest& request) {
  TokenStatus token = ctx.backend.authorize(ctx.station_id, request.idTag);
  TransactionStart start;
  start.station_id = ctx.station_id;
  start.evse_id = start.connector_id = static_cast<int>(request.connectorId);
  start.id_token = request.idTag;
  start.time = parse_ocpp_time(request.timestamp).value_or(utc_now());
  start.meter_start_wh = static_cast<double>(request.meterStart);
  // §4.8: the transaction is recorded even when the tag is not accepted; the station then stops it.
  std::string id = ctx.backend.start_transaction(start);
  StartTransactionResponse response;
  response.idTagInfo.status = start_tag_status(token);
  response.transactionId = std::stoll(id);
  return rpc::Reply::ok(response);
}

rpc::Reply stop_transaction(BlockContext& ctx, const StopTransactionRequest& request) {
  TransactionStop stop;
  stop.station_id = ctx.station_id;
  stop.transaction_id = std::to_string(request.transactionId);
  stop.time = parse_ocpp_time(request.timestamp).value_or(utc_now());
  stop.meter_stop_wh = static_cast<double>(request.meterStop);
  stop.reason = request.reason ? std::string(to_string(*request.reason)) : "Local";
  if (!ctx.backend.stop_transaction(stop))
    return rpc::Reply::fail(rpc::RpcError::property_constraint,
                            fmt::format("StopTransaction: transactionId {} is not a transaction of station {}",
                                        request.transactionId, ctx.station_id));
  return rpc::Reply::ok(nlohmann::json::object());
}

}  // namespace voltpool::ocpp::v16
