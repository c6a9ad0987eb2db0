// Price-greedy charging: each car alone takes the cheapest steps before its owner's estimated departure
// until its need is met (no site limit, no discharge). It plans on arrival and again whenever new day-ahead
// prices are published; steps whose price is not yet known are used last, earliest first. A car still
// plugged in after its estimated departure with energy missing charges at full power.
#pragma once

#include <unordered_map>
#include <vector>

#include "sim/strategy.hpp"

namespace voltpool {

class PriceGreedyStrategy final : public Strategy {
 public:
  std::string_view name() const override { return "price-greedy"; }
  void decide(const StepView& view, std::span<double> requested_kw) override;

 private:
  struct Plan {
    int first_step = 0;
    std::vector<double> kw;  // requested grid power from first_step on
  };
  void plan(const StepView& view, int session);

  std::unordered_map<int, Plan> plans_;
  size_t planned_with_known_ = 0;
  std::vector<int> candidate_steps_;  // scratch
};

}  // namespace voltpool
