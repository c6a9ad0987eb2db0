// F01 RequestStartTransaction and F03 RequestStopTransaction (the CSMS starts or stops charging remotely).
#include "ocpp/v2/blocks.hpp"

namespace voltpool::ocpp::v2 {

template <class V>
Command remote_start(int evse_id, const std::string& id_token, int remote_start_id) {
  typename V::RequestStartTransactionRequest request;
  request.evseId = evse_id;
  request.remoteStartId = remote_start_id;
  request.idToken.idToken = id_token;
  if constexpr (std::is_same_v<decltype(request.idToken.type), std::string>)
    request.idToken.type = "Central";
  else
    request.idToken.type = decltype(request.idToken.type)::Central;
  return {"RequestStartTransaction", request};
}

template <class V>
Command remote_stop(const std::string& transaction_id) {
  typename V::RequestStopTransactionRequest request;
  request.transactionId = transaction_id;
  return {"RequestStopTransaction", request};
}

#define INSTANTIATE(V)                                                   \
  template Command remote_start<V>(int, const std::string&, int);        \
  template Command remote_stop<V>(const std::string&);
VOLTPOOL_OCPP_V2_INSTANTIATE(INSTANTIATE)

}  // namespace voltpool::ocpp::v2
