#include "ocpp/csms/protocol_blocks.hpp"

#include "ocpp/v16/blocks.hpp"
#include "ocpp/v2/blocks.hpp"

namespace voltpool::ocpp {

std::unique_ptr<ProtocolBlocks> make_blocks(rpc::ProtocolVersion version, std::string station_id,
                                            CsmsBackend& backend) {
  switch (version) {
    case rpc::ProtocolVersion::ocpp16: return v16::make_blocks(std::move(station_id), backend);
    case rpc::ProtocolVersion::ocpp201: return v2::make_blocks<v2::V201>(std::move(station_id), backend);
    case rpc::ProtocolVersion::ocpp21: return v2::make_blocks<v2::V21>(std::move(station_id), backend);
  }
  return nullptr;
}

}  // namespace voltpool::ocpp
