#include "sim/strategies.hpp"

#include "sim/optimal_strategy.hpp"
#include "sim/price_greedy.hpp"
#include "sim/uncontrolled.hpp"

namespace voltpool {

std::string strategy_names() { return "uncontrolled, price-greedy, optimal, optimal-v2g"; }

Result<std::unique_ptr<Strategy>> make_strategy(std::string_view name, const StrategyOptions& o) {
  if (name == "uncontrolled") return std::unique_ptr<Strategy>(std::make_unique<UncontrolledStrategy>());
  if (name == "price-greedy") return std::unique_ptr<Strategy>(std::make_unique<PriceGreedyStrategy>());
  if (name == "optimal") {
    return std::unique_ptr<Strategy>(std::make_unique<OptimalStrategy>(OptimalStrategyOptions{false, 0.0, o.wear, 0}));
  }
  if (name == "optimal-v2g") {
    return std::unique_ptr<Strategy>(
        std::make_unique<OptimalStrategy>(OptimalStrategyOptions{true, o.wear_eur_per_kwh, o.wear, o.v2g_reserve_share}));
  }
  return Error{"unknown strategy '" + std::string(name) + "'; known strategies: " + strategy_names()};
}

}  // namespace voltpool
