#include "ocpp/csms/station_session.hpp"

namespace voltpool::ocpp {

StationSession::StationSession(std::string station_id, rpc::ProtocolVersion version, CsmsBackend& backend,
                               std::chrono::milliseconds call_timeout)
    : station_id_(std::move(station_id)),
      blocks_(make_blocks(version, station_id_, backend)),
      endpoint_(
          version,
          [this](std::string_view action, const nlohmann::json& payload) { return blocks_->handle(action, payload); },
          call_timeout) {}

}  // namespace voltpool::ocpp
