// One car as the spread split prices it at the steps' utilisations z (spread_split.hpp): its power at window
// step k is cap(k) * clamp(z(t) + s, -low, 1), low its discharge power as a share of its charge power (0: it
// only charges), s its shift.
//
// A car that only charges needs one shift for its window: 0 while its energy at z alone lies in its departure
// range, else the one that meets the range's nearer end. A car that may discharge can pass its floor or its
// ceiling on the way. At its optimum the shift is then one per stretch between the steps where its energy is
// held at a bound, each stretch's shift meeting the energy fixed at its ends; it falls where the energy is
// held at the floor and rises where it is held at the ceiling.
//
// The stretches are found by fixing the energy at the step where the one-shift path passes its floor the most
// (or its ceiling: either will do) and solving both sides again, until no step passes. That step is bound at
// the optimum, so no search is needed. Say the path passes the floor by at most V, most at step k, and the
// optimum is above the floor at k: the difference D = optimum - path exceeds V there. Between two steps where
// the optimum is bound, both are one-shift paths, so D is monotone. Walk from k the way D does not fall: at a
// step held at the ceiling the optimum's shift rises (going forward; falls going back), so D keeps not
// falling into the next stretch. The walk ends at a step held at the floor (where D is at most V, the path's
// pass there), at the start (D = 0), or at the departure (D = 0 where the end is fixed; for a range, the
// optimum above the path there means the optimum's last shift is at most the path's, so D did not rise into
// it). Each contradicts D > V. The same holds for the ceiling. It needs the car to be feasible (each fixed
// end then reachable), which a car's window, box and departure range from what it can reach ensure.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "flex/step_ranges.hpp"

namespace voltpool::spread {

// A path beyond its floor or ceiling by more than this (a rounding of a window's kWh below) passes it.
inline constexpr double kBoundSlackKwh = 1e-11;

// A car as the pricing sees it; energies are battery-side kWh relative to its arrival.
struct CarRange {
  int first_step = 0;  // its window's first step
  int window = 0;      // steps
  double cap_kw = 0;   // its most kW charging (> 0); a step's cap is this times the car's presence share
  double first_fraction = 1, last_fraction = 1;
  double low = 0;              // discharge kW per charge kW (0: only charges; > 0 only for a lossless car)
  double kwh_per_kw_step = 0;  // battery kWh per kW over one step (eta x dt)
  double floor_kwh = 0, ceiling_kwh = 0;  // at every step's end
  double end_lo_kwh = 0, end_hi_kwh = 0;  // at departure (within floor and ceiling)

  double step_cap_kw(int k) const {
    if (k == 0) return cap_kw * first_fraction;
    if (k == window - 1) return cap_kw * last_fraction;
    return cap_kw;
  }
};

// Window steps [from, end) priced with one shift. `bound`: the car's energy is fixed at both its ends (so
// what its free steps move alike, the car takes back).
struct Stretch {
  int from = 0, end = 0;
  double shift = 0;
  bool bound = false;
  int8_t starts_at = 0;  // where its energy starts: 0 the car's arrival, -1 its floor, +1 its ceiling
};

// Where a car's energy was held at a bound when it was last priced: a hint for its next pricing, which
// starts from those stretches and keeps them if they meet the optimality conditions (the stretches of a car
// move little from one Newton pass to the next), else prices the car afresh. A hint of no bounds (as a new
// one is) tries the car's one-shift path first.
struct BoundSteps {
  static constexpr int kMost = 27;             // (32 bytes a car) more are not kept: the car is priced afresh
  static constexpr uint8_t kNone = UINT8_MAX;  // count of a car that had more
  uint32_t at_ceiling = 0;                     // bit j: bound j is the ceiling, else the floor
  uint8_t count = 0;
  uint8_t step[kMost];  // window step where the stretch after bound j starts, ascending
};

// Working memory of price_stretches, reused from car to car.
struct CarScratch {
  std::vector<Stretch> stretches;  // the result
  struct Open {                    // a stretch to price: its energy at the start, the range at its end
    int from, end;
    double start_kwh, end_lo_kwh, end_hi_kwh;
    bool end_fixed;
    int8_t starts_at;
  };
  std::vector<Open> open;
  std::vector<int> order;  // a stretch's steps by z, where Newton's method did not settle its shift
};

// Whether no step of window steps [from, end) is clipped at shift s (each strictly between -low and its cap:
// every one free); an empty range has none.
bool unclipped(const CarRange& car, const StepRanges& z, int from, int end, double s);

// The shift at which window steps [from, end) take in `goal` (kWh), found two ways; price_stretches takes
// Newton's and, where that does not settle in a few steps, the ordered one. Where the energy is flat at the
// goal both give the least such shift, but the greatest when every step is at -low (either way the one from
// which a neighbouring stretch's shift may differ most: a bound's optimality condition); a goal beyond either
// end gets the end's.
// By Newton's method on the steps' energy, without ordering them: nullopt where it does not settle.
std::optional<double> newton_shift(const CarRange& car, const StepRanges& z, int from, int end, double goal);
// By walking the energy's kinks (a step leaves -low at s = -low - z, reaches its cap at s = 1 - z) with the
// steps ordered by z into `order`.
double ordered_shift(const CarRange& car, const StepRanges& z, int from, int end, double goal,
                     std::vector<int>& order);

// The car's stretches at z (absolute steps) into scratch.stretches (ascending when the hint is kept, else in
// no particular order). Each stretch's shift is found by Newton's method on its energy (no ordering of its
// steps), or where that does not settle, by walking its steps' kinks in order. With a hint, starts from it
// and updates it.
void price_stretches(const CarRange& car, const StepRanges& z, CarScratch& scratch,
                     BoundSteps* hint = nullptr);

}  // namespace voltpool::spread
