// OCPP 1.6 Core: MeterValues (§4.7). Sampled values arrive as decimal strings with a unit.
#include <charconv>

#include <fmt/format.h>

#include "ocpp/csms/meter_reading.hpp"
#include "ocpp/v16/blocks.hpp"

namespace voltpool::ocpp::v16 {

rpc::Reply meter_values(BlockContext& ctx, const MeterValuesRequest& request) {
  std::vector<MeterSample> samples;
  for (const auto& meter_value : request.meterValue) {
    MeterSample sample;
    auto time = parse_ocpp_time(meter_value.timestamp);
    if (!time) return rpc::Reply::fail(rpc::RpcError::format, "MeterValues: unreadable timestamp " + meter_value.timestamp);
    sample.time = *time;
    for (const auto& sampled : meter_value.sampledValue) {
      double value = 0;
      const std::string& text = sampled.value;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (ec != std::errc() || end != text.data() + text.size()) {
        if (sampled.format && *sampled.format == MeterValuesRequest_MeterValue_SampledValue_Format::SignedData) continue;
        return rpc::Reply::fail(rpc::RpcError::property_constraint,
                                fmt::format("MeterValues: sampledValue value '{}' is not a number", text));
      }
      std::optional<std::string_view> measurand, unit;
      if (sampled.measurand) measurand = to_string(*sampled.measurand);
      if (sampled.unit) unit = to_string(*sampled.unit);
      add_reading(sample, measurand, value, unit, 0, sampled.phase.has_value());
    }
    samples.push_back(sample);
  }
  std::string transaction = request.transactionId ? std::to_string(*request.transactionId) : "";
  if (!ctx.backend.meter_values(ctx.station_id, transaction, static_cast<int>(request.connectorId), samples))
    return rpc::Reply::fail(rpc::RpcError::property_constraint,
                            fmt::format("MeterValues: transactionId {} is not a transaction of station {}",
                                        transaction, ctx.station_id));
  return rpc::Reply::ok(nlohmann::json::object());
}

}  // namespace voltpool::ocpp::v16
