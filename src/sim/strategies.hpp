// The strategies `voltpool simulate` and `voltpool schedule` can run, by name.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <optional>

#include "battery/wear_cost.hpp"
#include "core/result.hpp"
#include "sim/strategy.hpp"

namespace voltpool {

// "uncontrolled", "price-greedy", "optimal", "optimal-v2g"; an error lists the known names. The wear cost (EUR
// per discharged kWh) only matters to optimal-v2g.
// With a cell model (`wear`) the optimal strategies plan with each car's battery wear instead of the flat rate.
Result<std::unique_ptr<Strategy>> make_strategy(std::string_view name, double wear_eur_per_kwh = 0.03,
                                                std::optional<WearParams> wear = std::nullopt);
std::string strategy_names();

}  // namespace voltpool
