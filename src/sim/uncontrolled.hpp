// Uncontrolled charging: every car draws its full power from arrival until it reaches its target or leaves.
// The baseline every other strategy is measured against.
#pragma once

#include "sim/strategy.hpp"

namespace voltpool {

class UncontrolledStrategy final : public Strategy {
 public:
  std::string_view name() const override { return "uncontrolled"; }
  void decide(const StepView& view, std::span<double> requested_kw) override;
};

}  // namespace voltpool
