// J01 MeterValues outside transactions, and the sampled values inside TransactionEvent (J02).
#include "ocpp/csms/meter_reading.hpp"
#include "ocpp/v2/blocks.hpp"

namespace voltpool::ocpp::v2 {

template <class V>
std::variant<std::vector<MeterSample>, std::string> samples_of(const std::vector<typename V::MeterValueType>& values) {
  std::vector<MeterSample> samples;
  for (const auto& value : values) {
    MeterSample sample;
    auto time = parse_ocpp_time(value.timestamp);
    if (!time) return "meterValue timestamp '" + value.timestamp + "' is not a date-time";
    sample.time = *time;
    for (const auto& sampled : value.sampledValue) {
      std::optional<std::string_view> measurand, unit;
      if (sampled.measurand) measurand = to_string(*sampled.measurand);
      int multiplier = 0;
      if (sampled.unitOfMeasure) {
        if (sampled.unitOfMeasure->unit) unit = *sampled.unitOfMeasure->unit;
        multiplier = static_cast<int>(sampled.unitOfMeasure->multiplier.value_or(0));
      }
      add_reading(sample, measurand, sampled.value, unit, multiplier, sampled.phase.has_value());
    }
    samples.push_back(sample);
  }
  return samples;
}

template <class V>
rpc::Reply meter_values(BlockContext& ctx, const typename V::MeterValuesRequest& r) {
  auto samples = samples_of<V>(r.meterValue);
  if (auto* error = std::get_if<std::string>(&samples)) return rpc::Reply::fail(rpc::RpcError::format, *error);
  ctx.backend.meter_values(ctx.station_id, "", static_cast<int>(r.evseId), std::get<std::vector<MeterSample>>(samples));
  return rpc::Reply::ok(nlohmann::json::object());
}

#define INSTANTIATE(V)                                                                                      \
  template std::variant<std::vector<MeterSample>, std::string> samples_of<V>(const std::vector<V::MeterValueType>&); \
  template rpc::Reply meter_values<V>(BlockContext&, const V::MeterValuesRequest&);
VOLTPOOL_OCPP_V2_INSTANTIATE(INSTANTIATE)

}  // namespace voltpool::ocpp::v2
