// C01 Authorize with an id token; the same status answers the id token of a TransactionEvent (use case E01).
#include "ocpp/v2/blocks.hpp"

namespace voltpool::ocpp::v2 {

template <class V>
typename V::IdTokenInfoType id_token_info(TokenStatus status) {
  using Status = typename V::AuthorizationStatusEnumType;
  typename V::IdTokenInfoType info;
  switch (status) {
    case TokenStatus::accepted: info.status = Status::Accepted; break;
    case TokenStatus::blocked: info.status = Status::Blocked; break;
    case TokenStatus::invalid: info.status = Status::Invalid; break;
    case TokenStatus::unknown: info.status = Status::Unknown; break;
  }
  return info;
}

template <class V>
rpc::Reply authorize(BlockContext& ctx, const typename V::AuthorizeRequest& r) {
  typename V::AuthorizeResponse response;
  response.idTokenInfo = id_token_info<V>(ctx.backend.authorize(ctx.station_id, r.idToken.idToken));
  return rpc::Reply::ok(response);
}

#define INSTANTIATE(V)                                                       \
  template V::IdTokenInfoType id_token_info<V>(TokenStatus);                 \
  template rpc::Reply authorize<V>(BlockContext&, const V::AuthorizeRequest&);
VOLTPOOL_OCPP_V2_INSTANTIATE(INSTANTIATE)

}  // namespace voltpool::ocpp::v2
