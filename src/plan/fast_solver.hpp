// The scalable planner: Dantzig-Wolfe decomposition over clusters of vehicles (decomposition.hpp). Vehicles
// couple only through the site limits, so a small master LP (one row per limited step and group, one convexity
// row per cluster; CLP) chooses, per cluster, a convex combination of that cluster's responses, and each
// iteration prices the master's step duals into every vehicle's own optimal response (exact per vehicle:
// vehicle_response.hpp, storage_response.hpp), which adds a column per cluster. Every vehicle's schedule is its
// cluster's convex combination of its own responses, so it keeps its power box and energy window, and the
// master keeps every limit. The Lagrangian of each pricing pass is a proven lower bound: the plan reports its
// gap to it and stops at `relative_gap`. Dual smoothing (Wentges) keeps the iterations few. Large fleets that
// may discharge start next to the optimum: a sample's dual point, and the fleet's ties there broken towards the
// limits (FastSolverOptions::sample_vehicles).
#pragma once

#include <cstddef>

#include "core/result.hpp"
#include "plan/problem.hpp"

namespace voltpool {

struct FastSolverOptions {
  double relative_gap = 1e-7;
  int max_iterations = 1000;
  double smoothing = 0.5;  // weight of the best dual point so far in each pricing point (0 = plain Kelley)
  // Vehicles of similar windows share one convex combination of their responses (a convexity row each): more
  // clusters converge in fewer passes but grow the master (16: V2G 10k 130 -> 87 passes, 2.1 -> 1.4 s).
  // 0: automatic, 16 with bidirectional cars, soft floors or a followed profile, else one per 5,000 cars up to
  // 16 (charge-only passes are cheap, so there the master's size matters more).
  int clusters = 0;
  // Fleets of more than sample_above vehicles that may discharge or follow a profile (and have no feeder limits)
  // first plan about sample_vehicles of their vehicles, the limits (or a followed profile) scaled to their share:
  // that sample's best dual point is the fleet's or near it (the surcharges settle on price differences), so the
  // fleet is priced there twice with its ties broken towards the limits (Decomposition::tie_broken_pass) and,
  // with 64 clusters, the first master meets every binding limit (V2G 100k: one master solve instead of 93
  // passes; the sample is planned the same way from a sample of 250). Where the point is off, the passes go on
  // from there (a followed profile on the edge of what the fleet can do, which a sample cannot follow: charge-only
  // 100k 110 passes instead of 235). 0: never.
  size_t sample_vehicles = 1000;
  size_t sample_above = 4000;
};

// Any mix of charge-only and bidirectional vehicles, with any efficiencies (vehicle_response.hpp,
// storage_response.hpp). A vehicle whose columns in the final combination charge and discharge in the same step
// carries the net power, and the step is counted in simultaneous_steps (as the exact LP counts its own).
Result<Plan> solve_fast(const PlanningProblem& problem, const FastSolverOptions& options = {});

}  // namespace voltpool
