// OCPP 1.6 Core: RemoteStartTransaction (§5.11), RemoteStopTransaction (§5.12).
#include "ocpp/v16/blocks.hpp"

namespace voltpool::ocpp::v16 {

Command remote_start(int connector_id, const std::string& id_tag) {
  RemoteStartTransactionRequest request;
  request.connectorId = connector_id;
  request.idTag = id_tag;
  return {"RemoteStartTransaction", request};
}

Command remote_stop(const std::string& transaction_id) {
  RemoteStopTransactionRequest request;
  request.transactionId = std::stoll(transaction_id);
  return {"RemoteStopTransaction", request};
}

}  // namespace voltpool::ocpp::v16
