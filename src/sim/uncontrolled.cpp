#include "sim/uncontrolled.hpp"

namespace voltpool {

void UncontrolledStrategy::decide(const StepView& view, std::span<double> requested_kw) {
  for (size_t k = 0; k < view.plugged.size(); ++k) {
    requested_kw[k] = view.vehicles[view.plugged[k]].limits.charge_max_kw;
  }
}

}  // namespace voltpool
