#include "sim/strategies.hpp"

#include "sim/price_greedy.hpp"
#include "sim/uncontrolled.hpp"

namespace voltpool {

std::string strategy_names() { return "uncontrolled, price-greedy"; }

Result<std::unique_ptr<Strategy>> make_strategy(std::string_view name) {
  if (name == "uncontrolled") return std::unique_ptr<Strategy>(std::make_unique<UncontrolledStrategy>());
  if (name == "price-greedy") return std::unique_ptr<Strategy>(std::make_unique<PriceGreedyStrategy>());
  return Error{"unknown strategy '" + std::string(name) + "'; known strategies: " + strategy_names()};
}

}  // namespace voltpool
