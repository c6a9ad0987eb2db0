// OCPP 1.6 Core: Authorize (§4.1).
#include "ocpp/v16/blocks.hpp"

namespace voltpool::ocpp::v16 {

namespace {

template <class Status>
Status id_tag_status(TokenStatus status) {
  switch (status) {
    case TokenStatus::accepted: return Status::Accepted;
    case TokenStatus::blocked: return Status::Blocked;
    case TokenStatus::invalid:
    case TokenStatus::unknown: return Status::Invalid;
  }
  return Status::Invalid;
}

}  // namespace

rpc::Reply authorize(BlockContext& ctx, const AuthorizeRequest& request) {
  AuthorizeResponse response;
  response.idTagInfo.status =
      id_tag_status<AuthorizeResponse_IdTagInfo_Status>(ctx.backend.authorize(ctx.station_id, request.idTag));
  return rpc::Reply::ok(response);
}

// Used by StartTransaction as well (the id tag is authorized again when the transaction starts).
StartTransactionResponse_IdTagInfo_Status start_tag_status(TokenStatus status) {
  return id_tag_status<StartTransactionResponse_IdTagInfo_Status>(status);
}

}  // namespace voltpool::ocpp::v16
