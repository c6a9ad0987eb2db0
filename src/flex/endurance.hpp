// Endurance: the largest power the fleet (or one feeder) can hold for a run of steps from a given step,
// absorbing or delivering, while every owner still gets what they need (reserve products ask 15-30 minutes of
// it, models.md §3.2). Solved exactly in two LPs: the least total shortfall the fleet can have at all, then
// the planner's LP with one held-power column maximised with the shortfall capped at that.
#pragma once

#include "core/result.hpp"
#include "plan/problem.hpp"

namespace voltpool {

struct HoldQuery {
  int first_step = 0;
  int steps = 1;
  int direction = +1;  // +1: absorb (import), -1: deliver (export)
  int group = 0;       // 0: the whole fleet; f + 1: feeder f
};

// The largest power held (Plan::hold_kw, in the query's direction; negative when the owners' needs force the
// opposite flow then) and the plan that holds it.
Result<Plan> max_hold(PlanningProblem problem, const HoldQuery& query);

}  // namespace voltpool
