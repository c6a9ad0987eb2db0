// The real-time dispatcher: every control cycle (2 s) it turns one fleet setpoint into a setpoint per car.
// Each available car gets a range for this cycle: its power limits, its ramp limit from its last setpoint,
// its energy window, and a departure reserve: after this cycle the car must still reach its owner's target
// charging at full power with `reserve_s` less time than it really has. RegD is energy-neutral over 15
// minutes, so a 15-minute reserve lets a car recover from a full regulation excursion and still leave with
// its target. Within those ranges the fleet setpoint is met exactly whenever the ranges allow: every car
// first takes its planned power (clamped into its range, which an owner's remaining discharge allowance also
// bounds), then the difference is shared in proportion to
// each car's headroom in that direction, which spreads the extra throughput (wear) over the cars that have
// room. Cars the dispatcher cannot command (silent, or their command undeliverable) hold their power and the
// rest of the fleet covers the setpoint. O(cars) per cycle, two passes over contiguous arrays.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace voltpool {

struct DispatchFleet {
  std::vector<double> baseline_kw;       // the plan's power for this car now
  std::vector<double> charge_max_kw;     // grid side
  std::vector<double> discharge_max_kw;  // grid side, 0 without V2G
  std::vector<double> ramp_kw_per_s;
  std::vector<double> energy_kwh;
  std::vector<double> e_min_kwh, e_max_kwh, target_kwh;
  std::vector<double> eta_charge, eta_discharge;
  std::vector<double> departure_s;       // the owner's stated departure, seconds on the dispatcher's clock
  std::vector<double> last_setpoint_kw;
  std::vector<double> discharge_left_kwh;  // the owner's discharge cap, what remains of it (grid side; inf: none)
  std::vector<uint8_t> available;        // 1: plugged in and answering; 0: hold (silent) or gone

  size_t size() const { return baseline_kw.size(); }
  void resize(size_t n);
};

struct DispatchConfig {
  double cycle_s = 2.0;
  double reserve_s = 15 * 60;
};

struct CycleOutcome {
  double setpoint_kw = 0;     // what the fleet was asked
  double assigned_kw = 0;     // the sum of the cars' setpoints (held cars included)
  double lowest_kw = 0;       // the range the fleet could do this cycle
  double highest_kw = 0;
};

// Writes every car's setpoint (available or held) for the cycle starting at now_s.
CycleOutcome dispatch_cycle(const DispatchFleet& fleet, double now_s, double fleet_setpoint_kw,
                            const DispatchConfig& config, std::span<double> setpoint_kw);

}  // namespace voltpool
