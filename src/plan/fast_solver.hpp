// The scalable planner: aggregated Dantzig-Wolfe decomposition. Vehicles couple only through the site limits,
// so a small master LP (one row per limited step, one convexity row; CLP) chooses a convex combination of
// fleet responses, and each iteration prices the master's step duals into every vehicle's own greedy response
// (exact per vehicle, see vehicle_response.hpp), which becomes a new column. Every vehicle's schedule is the
// same convex combination of its own responses, so it is always feasible for the vehicle, and the master keeps
// the site within its limits. The Lagrangian of each pricing pass is a proven lower bound: the plan reports its
// gap to it and stops at `relative_gap`. Dual smoothing (Wentges) keeps the iterations few.
#pragma once

#include "core/result.hpp"
#include "plan/problem.hpp"

namespace voltpool {

struct FastSolverOptions {
  double relative_gap = 1e-7;
  int max_iterations = 1000;
  double smoothing = 0.5;  // weight of the best dual point so far in each pricing point (0 = plain Kelley)
};

// Any mix of charge-only and bidirectional vehicles, with any efficiencies (vehicle_response.hpp,
// storage_response.hpp). A vehicle whose columns in the final combination charge and discharge in the same step
// carries the net power, and the step is counted in simultaneous_steps (as the exact LP counts its own).
Result<Plan> solve_fast(const PlanningProblem& problem, const FastSolverOptions& options = {});

}  // namespace voltpool
