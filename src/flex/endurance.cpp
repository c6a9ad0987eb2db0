#include "flex/endurance.hpp"

#include <algorithm>

#include "plan/exact_solver.hpp"

namespace voltpool {

Result<Plan> max_hold(PlanningProblem p, const HoldQuery& q) {
  if (q.steps <= 0 || q.first_step < 0 || q.first_step + q.steps > p.steps) {
    return Error{"the hold runs outside the plan's steps"};
  }
  if (q.group < 0 || q.group > static_cast<int>(p.feeders.size())) return Error{"no such feeder"};
  // Owners first: the least shortfall the fleet can have at all, then the most power held within it.
  auto base = solve_exact(p);
  if (!base.ok()) return base.error();
  double least = 0;
  for (double s : base->shortfall_kwh) least += s;
  p.shortfall_cap_kwh = least + 1e-7 * std::max(1.0, least);
  p.hold_first_step = q.first_step;
  p.hold_steps = q.steps;
  p.hold_direction = q.direction >= 0 ? +1 : -1;
  p.hold_group = q.group;
  auto held = solve_exact(p);
  if (!held.ok() && held.error().message.find("infeasible") == std::string::npos) return held.error();
  if (!held.ok()) {
    return Error{"the fleet cannot hold one power from step " + std::to_string(q.first_step) + " for " +
                 std::to_string(q.steps) + " steps without leaving an owner short"};
  }
  return held;
}

}  // namespace voltpool
