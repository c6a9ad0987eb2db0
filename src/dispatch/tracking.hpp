// Following a regulation signal with a planned fleet, under real conditions: cars arriving and leaving on
// their plan, some falling silent (they hold their last power; the dispatcher notices after a few silent
// cycles) or leaving early (gone at once), commands taking effect a cycle late, cars delivering only part of a
// commanded change. The fleet must deliver its planned baseline plus signal x capacity; the response is fleet
// power minus the planned baseline, scored the PJM way on 10-s averages.
#pragma once

#include <cstdint>
#include <vector>

#include "dispatch/dispatcher.hpp"
#include "dispatch/pjm_score.hpp"
#include "plan/problem.hpp"

namespace voltpool {

struct TrackingScenario {
  const PlanningProblem* problem = nullptr;  // the fleet and its steps
  const Plan* plan = nullptr;                // the baseline, per car per step
  int start_step = 0;                        // the signal starts at this step's beginning
  std::vector<double> signal;                // per 2-s cycle, within [-1, 1]
  double capacity_kw = 0;
  double dropout_fraction = 0;  // share of the cars plugged in during the signal that fall silent or leave early
  uint64_t seed = 1;
  int silent_cycles_to_unavailable = 3;
  int latency_cycles = 1;
  double compliance_min = 0.9;  // each car delivers between this and all of a commanded change
  double ramp_kw_per_s = 5.0;
  DispatchConfig config;
};

struct TrackingResult {
  std::vector<double> t_s, signal_kw, response_kw;  // per cycle
  PjmScore score;
  int cars_missed_target = 0;  // the plan alone would have met the target, with regulation the car cannot
  double shortfall_kwh = 0;
  int cars_silent = 0;
  int cars_left_early = 0;
  std::vector<double> cycle_us;  // the dispatcher's time per cycle
  // FCR-style compliance: the longest time after a setpoint change of at least 10 % of the capacity until the
  // response covered 90 % of it (full activation is due within 30 s), and the energy the plugged-in cars could
  // absorb / give at the start without leaving their windows or their owners' targets (an LER must hold full
  // activation 15-30 minutes each way).
  double activation_time_s_max = 0;  // over the activations that completed
  int activations = 0;                // setpoint changes of at least 10 % of the capacity
  int activations_missed = 0;         // not completed while the setpoint held, or slower than 30 s
  double reservoir_up_kwh = 0;
  double reservoir_down_kwh = 0;
  double full_activation_minutes = 0;  // min(up, down) / capacity
};

TrackingResult track_signal(const TrackingScenario& scenario);

}  // namespace voltpool
