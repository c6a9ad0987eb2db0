// The strategies `voltpool simulate` and `voltpool schedule` can run, by name.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "sim/strategy.hpp"

namespace voltpool {

// "uncontrolled", "price-greedy"; an error lists the known names.
Result<std::unique_ptr<Strategy>> make_strategy(std::string_view name);
std::string strategy_names();

}  // namespace voltpool
