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

struct StrategyOptions {
  double wear_eur_per_kwh = 0.03;  // per discharged kWh: only optimal-v2g plans with it
  // With a cell model the optimal strategies plan with each car's battery wear instead of the flat rate.
  std::optional<WearParams> wear;
  // optimal-v2g: each car keeps, as a soft floor, the energy from which it still reaches its target at this
  // share of its charging power (0: off; see OptimalStrategyOptions::reserve_share).
  double v2g_reserve_share = 0.5;
};

// "uncontrolled", "price-greedy", "optimal", "optimal-v2g"; an error lists the known names.
Result<std::unique_ptr<Strategy>> make_strategy(std::string_view name, const StrategyOptions& options = {});
std::string strategy_names();

}  // namespace voltpool
