// Meter readings as OCPP reports them (a measurand, a value, a unit with an optional power-of-ten multiplier)
// folded into a protocol-neutral MeterSample in Wh, W and percent. Shared by 1.6 and 2.x.
#pragma once

#include <optional>
#include <string_view>

#include "ocpp/csms/backend.hpp"

namespace voltpool::ocpp {

// Adds one sampled value to `sample`. Per-phase values are skipped (voltpool meters the whole connector);
// unknown measurands are ignored. The default measurand is Energy.Active.Import.Register and the default unit
// Wh (1.6 §7.31, 2.0.1 SampledValueType), as the specifications say.
void add_reading(MeterSample& sample, std::optional<std::string_view> measurand, double value,
                 std::optional<std::string_view> unit, int multiplier, bool per_phase);

}  // namespace voltpool::ocpp
