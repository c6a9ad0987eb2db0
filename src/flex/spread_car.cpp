#include "flex/spread_car.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>
#include <span>

namespace voltpool::spread {

namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

// A hint's shifts may go the wrong way at a bound by this much (their rounding) and still be kept.
constexpr double kShiftSlack = 1e-12;

// Newton's method on a stretch's energy stops within this of its goal (a tenth of the slack its end is
// checked to), or gives up after this many steps.
constexpr double kNewtonSlackKwh = 0.1 * kBoundSlackKwh;
constexpr int kMostNewtonSteps = 8;

double step_kwh(const CarRange& car, int t) {
  return car.step_cap_kw(t - car.first_step) * car.kwh_per_kw_step;
}

// What window steps [from, end) take in at full power.
double stretch_kwh(const CarRange& car, int from, int end) {
  double steps = end - from;
  if (from == 0) steps += car.first_fraction - 1;
  if (end == car.window && car.window > 1) steps += car.last_fraction - 1;
  return steps * car.cap_kw * car.kwh_per_kw_step;
}

// What window steps [from, end) take in at shift 0 were none clipped: their kWh per kW times z, summed.
double unclipped_stretch_kwh(const CarRange& car, const StepRanges& z, int from, int end) {
  const int first = car.first_step;
  double steps_z = z.sum(first + from, first + end);
  if (from == 0) steps_z += (car.first_fraction - 1) * z[first];
  if (end == car.window && car.window > 1) steps_z += (car.last_fraction - 1) * z[first + end - 1];
  return steps_z * car.cap_kw * car.kwh_per_kw_step;
}

// What window steps [from, end) take in at shift s, and its slope in s (the kWh of the steps not clipped).
// The steps' clipped utilisations are summed four at a time (independent sums, not one chain of additions),
// at the car's full step; a partial first or last step is then corrected.
struct ClippedEnergy {
  double kwh, slope_kwh;
};
ClippedEnergy clipped_energy(const CarRange& car, const StepRanges& z, int from, int end, double s) {
  const double* zt = z.z().data() + car.first_step;
  const double low = car.low;
  double used[4] = {0, 0, 0, 0}, free[4] = {0, 0, 0, 0};
  int k = from;
  for (; k + 4 <= end; k += 4) {
    for (int j = 0; j < 4; ++j) {
      const double u = zt[k + j] + s;
      used[j] += std::clamp(u, -low, 1.0);
      free[j] += u > -low && u < 1 ? 1.0 : 0.0;
    }
  }
  for (int j = 0; k < end; ++k, ++j) {
    const double u = zt[k] + s;
    used[j] += std::clamp(u, -low, 1.0);
    free[j] += u > -low && u < 1 ? 1.0 : 0.0;
  }
  double used_steps = (used[0] + used[1]) + (used[2] + used[3]),
         free_steps = (free[0] + free[1]) + (free[2] + free[3]);
  auto correct = [&](int at, double fraction) {  // step `at` counted whole, present for `fraction` of it
    const double u = zt[at] + s;
    used_steps += (fraction - 1) * std::clamp(u, -low, 1.0);
    free_steps += u > -low && u < 1 ? fraction - 1 : 0.0;
  };
  if (from == 0) correct(0, car.first_fraction);
  if (end == car.window && car.window > 1) correct(end - 1, car.last_fraction);
  const double full_kwh = car.cap_kw * car.kwh_per_kw_step;
  return {used_steps * full_kwh, free_steps * full_kwh};
}

// The energy window steps [from, end) take in at shift 0.
double unshifted_kwh(const CarRange& car, const StepRanges& z, int from, int end) {
  if (unclipped(car, z, from, end, 0.0)) return unclipped_stretch_kwh(car, z, from, end);
  return clipped_energy(car, z, from, end, 0.0).kwh;
}

// The shift at which the steps `order` (by z, highest first) take in `goal`: their energy is piecewise linear
// in s, rising from all at -low to all at the cap, with kinks where a step leaves -low (s = -low - z) and
// reaches its cap (s = 1 - z), both in the order of `order`. Where the energy is flat at the goal, the least
// such shift, but the greatest when every step is at -low (either way the one from which a neighbouring
// stretch's shift may differ most: a bound's optimality condition). A goal beyond the ends gets the end's.
double shift_to(const CarRange& car, const StepRanges& z, std::span<const int> order, double full_kwh,
                double goal) {
  const size_t w = order.size();
  if (w == 0) return 0;
  double s = -car.low - z[order[0]], energy = -car.low * full_kwh, slope = 0;
  if (goal <= energy) return s;
  size_t a = 0, b = 0;  // next step to leave -low, next to reach its cap
  while (a < w || b < w) {
    const double next_a = a < w ? -car.low - z[order[a]] : kInfinity;
    const double next_b = b < w ? 1 - z[order[b]] : kInfinity;
    const double next = std::min(next_a, next_b);
    const double energy_next = energy + slope * (next - s);
    if (energy_next >= goal && slope > 0) return s + (goal - energy) / slope;
    energy = energy_next;
    s = next;
    if (next_a <= next_b) {
      slope += step_kwh(car, order[a++]);
    } else {
      slope -= step_kwh(car, order[b++]);
    }
  }
  return s;  // the goal is all the steps can take: every one at its cap
}

// From the shift that would meet the goal were no step clipped (the goal's own, with no loop over the steps,
// where the range's highest and lowest z say none is). The energy is piecewise linear and rising in s, so a
// step that stays on one piece lands on the goal. Each step is kept within the shifts known to fall
// short or overshoot, and halves that bracket where the energy is flat.
// NaN where it does not settle (a double passed back in a register, where an optional went through memory).
double newton_shift_or_nan(const CarRange& car, const StepRanges& z, int from, int end, double goal) {
  if (from >= end) return 0;
  const int first = car.first_step;
  const double full_kwh = stretch_kwh(car, from, end),
               unclipped_kwh = unclipped_stretch_kwh(car, z, from, end);
  const double highest = z.highest(first + from, first + end), lowest = z.lowest(first + from, first + end);
  // At either end the energy is flat: shift_to's shifts there.
  if (goal <= -car.low * full_kwh) return -car.low - highest;
  if (goal >= full_kwh) return 1 - lowest;
  double s = full_kwh > 0 ? (goal - unclipped_kwh) / full_kwh : 0.0;
  if (highest + s < 1 && lowest + s > -car.low) return s;  // no step clipped: on the goal
  double below = -car.low - highest, above = 1 - lowest;   // the goal's shift lies between
  for (int step = 0; step < kMostNewtonSteps; ++step) {
    const auto [energy, slope] = clipped_energy(car, z, from, end, s);
    if (std::abs(energy - goal) <= kNewtonSlackKwh) {
      if (slope > 0) return s + (goal - energy) / slope;  // onto the goal itself, as the ordered walk lands
      // Flat at the goal: the least such shift, where the highest step at its cap would leave it.
      double least = -kInfinity;
      for (int k = from; k < end; ++k) {
        if (z[first + k] + s >= 1) least = std::max(least, 1 - z[first + k]);
      }
      return std::isfinite(least) ? least : s;
    }
    (energy < goal ? below : above) = s;
    const double next = slope > 0 ? s + (goal - energy) / slope : below;  // flat here: halve the bracket
    s = next > below && next < above ? next : 0.5 * (below + above);
  }
  return std::numeric_limits<double>::quiet_NaN();
}

}  // namespace

bool unclipped(const CarRange& car, const StepRanges& z, int from, int end, double s) {
  const int a = car.first_step + from, b = car.first_step + end;
  return z.highest(a, b) + s < 1 && z.lowest(a, b) + s > -car.low;
}

std::optional<double> newton_shift(const CarRange& car, const StepRanges& z, int from, int end, double goal) {
  const double shift = newton_shift_or_nan(car, z, from, end, goal);
  if (std::isnan(shift)) return std::nullopt;
  return shift;
}

double ordered_shift(const CarRange& car, const StepRanges& z, int from, int end, double goal,
                     std::vector<int>& order) {
  order.resize(static_cast<size_t>(end - from));
  std::iota(order.begin(), order.end(), car.first_step + from);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return z[a] > z[b]; });
  return shift_to(car, z, order, stretch_kwh(car, from, end), goal);
}

namespace {

// The shift at which window steps [from, end) take in `goal`: Newton's, else by their order.
double stretch_shift(const CarRange& car, const StepRanges& z, int from, int end, double goal,
                     std::vector<int>& order) {
  if (const double shift = newton_shift_or_nan(car, z, from, end, goal); !std::isnan(shift)) return shift;
  return ordered_shift(car, z, from, end, goal, order);
}

// The shift of stretch [from, end): the one that meets its end's energy (fixed, or the nearer end of its
// range when the energy at shift 0 lies outside it); bound when that end holds it.
void solve_stretch(const CarRange& car, const StepRanges& z, int from, int end, double start_kwh,
                   double end_lo_kwh, double end_hi_kwh, bool end_fixed, std::vector<int>& order,
                   double& shift, bool& bound) {
  shift = 0;
  bound = end_fixed;
  if (bound) {
    shift = stretch_shift(car, z, from, end, end_lo_kwh - start_kwh, order);
    return;
  }
  const double at_zero = start_kwh + unshifted_kwh(car, z, from, end);
  bound = at_zero < end_lo_kwh || at_zero > end_hi_kwh;
  if (bound)
    shift =
        stretch_shift(car, z, from, end, (at_zero < end_lo_kwh ? end_lo_kwh : end_hi_kwh) - start_kwh, order);
}

// Where window steps [from, end) at shift s take the energy from start_kwh, if no step is clipped and all
// move it the same way (z + s of one sign) and it starts and ends within the car's floor and ceiling: then it
// stays within them at every step's end in between (no loop over the steps). NaN otherwise.
double one_way_end_kwh(const CarRange& car, const StepRanges& z, int from, int end, double s,
                       double start_kwh) {
  const int a = car.first_step + from, b = car.first_step + end;
  const double lowest = z.lowest(a, b) + s, highest = z.highest(a, b) + s;
  if (!(lowest > -car.low && highest < 1 && (lowest >= 0 || highest <= 0)))
    return std::numeric_limits<double>::quiet_NaN();
  const double end_kwh =
      start_kwh + unclipped_stretch_kwh(car, z, from, end) + s * stretch_kwh(car, from, end);
  const double lo = car.floor_kwh - kBoundSlackKwh, hi = car.ceiling_kwh + kBoundSlackKwh;
  if (std::min(start_kwh, end_kwh) < lo || std::max(start_kwh, end_kwh) > hi)
    return std::numeric_limits<double>::quiet_NaN();
  return end_kwh;
}

// The stretches the hint's bound steps give, kept if they meet the car's optimality conditions: its energy in
// its window at every step's end, and each shift falling only at a floor and rising only at a ceiling (the
// last stretch meets its departure range as solve_stretch does). Ascending into sc.stretches.
bool price_from_hint(const CarRange& car, const StepRanges& z, CarScratch& sc, const BoundSteps& hint) {
  if (hint.count == BoundSteps::kNone) return false;
  const int bounds = hint.count, w = car.window;
  auto from_of = [&](int j) { return j == 0 ? 0 : static_cast<int>(hint.step[j - 1]); };
  auto end_of = [&](int j) { return j == bounds ? w : static_cast<int>(hint.step[j]); };
  auto bound_kwh = [&](int j) { return (hint.at_ceiling >> (j - 1) & 1) ? car.ceiling_kwh : car.floor_kwh; };
  for (int j = 0; j <= bounds; ++j) {
    if (from_of(j) >= end_of(j)) return false;  // not a hint this car's pricing left
  }
  sc.stretches.clear();
  double energy = 0;
  for (int j = 0; j <= bounds; ++j) {
    const int from = from_of(j), end = end_of(j);
    const double start_kwh = j == 0 ? 0.0 : bound_kwh(j);
    double shift = 0;
    bool bound = false;
    if (j < bounds) {
      solve_stretch(car, z, from, end, start_kwh, bound_kwh(j + 1), bound_kwh(j + 1), true, sc.order, shift,
                    bound);
    } else {
      solve_stretch(car, z, from, end, start_kwh, car.end_lo_kwh, car.end_hi_kwh, false, sc.order, shift,
                    bound);
    }
    const int8_t starts_at = j == 0 ? 0 : (hint.at_ceiling >> (j - 1) & 1) ? 1 : -1;
    if (j > 0) {
      const double before = sc.stretches.back().shift;
      if (starts_at < 0 ? before < shift - kShiftSlack : before > shift + kShiftSlack) return false;
    }
    if (const double end_kwh = one_way_end_kwh(car, z, from, end, shift, energy); !std::isnan(end_kwh)) {
      energy = end_kwh;
    } else {
      for (int k = from; k < end; ++k) {
        const int t = car.first_step + k;
        energy += step_kwh(car, t) * std::clamp(z[t] + shift, -car.low, 1.0);
        if (k < w - 1 &&
            (energy < car.floor_kwh - kBoundSlackKwh || energy > car.ceiling_kwh + kBoundSlackKwh)) {
          return false;
        }
      }
    }
    // Each stretch ends where the next starts (its shift may not reach that at this z), the last in the
    // range.
    if (j < bounds ? std::abs(energy - bound_kwh(j + 1)) > kBoundSlackKwh
                   : energy < car.end_lo_kwh - kBoundSlackKwh || energy > car.end_hi_kwh + kBoundSlackKwh) {
      return false;
    }
    sc.stretches.push_back({from, end, shift, bound, starts_at});
  }
  return true;
}

// Records where the stretches start at a bound (none kept beyond BoundSteps::kMost).
void record_hint(const std::vector<Stretch>& stretches, BoundSteps& hint) {
  hint.count = 0;
  hint.at_ceiling = 0;
  if (stretches.size() > BoundSteps::kMost + 1) {
    hint.count = BoundSteps::kNone;
    return;
  }
  for (const Stretch& s : stretches) {
    if (s.starts_at == 0) continue;
    int j = hint.count++;  // insertion by step: a handful at most
    for (; j > 0 && hint.step[j - 1] > s.from; --j) hint.step[j] = hint.step[j - 1];
    hint.step[j] = static_cast<uint8_t>(s.from);
  }
  for (const Stretch& s : stretches) {
    if (s.starts_at <= 0) continue;
    for (int j = 0; j < hint.count; ++j) {
      if (hint.step[j] == s.from) hint.at_ceiling |= 1u << j;
    }
  }
}

}  // namespace

void price_stretches(const CarRange& car, const StepRanges& z, CarScratch& sc, BoundSteps* hint) {
  if (hint != nullptr && price_from_hint(car, z, sc, *hint)) return;
  sc.stretches.clear();
  sc.open.clear();
  sc.order.clear();
  sc.open.push_back({0, car.window, 0.0, car.end_lo_kwh, car.end_hi_kwh, false, 0});
  while (!sc.open.empty()) {
    const CarScratch::Open open = sc.open.back();
    sc.open.pop_back();
    double shift = 0;
    bool bound = false;
    solve_stretch(car, z, open.from, open.end, open.start_kwh, open.end_lo_kwh, open.end_hi_kwh,
                  open.end_fixed, sc.order, shift, bound);
    // A car that only charges never passes its floor (its energy only rises) nor its ceiling (its departure
    // range is within it).
    if (car.low > 0 && open.end - open.from > 1 &&
        std::isnan(one_way_end_kwh(car, z, open.from, open.end, shift, open.start_kwh))) {
      double energy = open.start_kwh, lowest = kInfinity, highest = -kInfinity;
      int at_lowest = 0, at_highest = 0;
      for (int k = open.from; k < open.end - 1; ++k) {
        const int t = car.first_step + k;
        energy += step_kwh(car, t) * std::clamp(z[t] + shift, -car.low, 1.0);
        if (energy < lowest) lowest = energy, at_lowest = k;
        if (energy > highest) highest = energy, at_highest = k;
      }
      const double below = car.floor_kwh - lowest, above = highest - car.ceiling_kwh;
      if (below > kBoundSlackKwh || above > kBoundSlackKwh) {
        // Bound at the end of the step that passes the most: the stretch splits after it.
        const bool at_floor = below >= above;
        const int split = (at_floor ? at_lowest : at_highest) + 1;
        const double fixed_kwh = at_floor ? car.floor_kwh : car.ceiling_kwh;
        sc.open.push_back({open.from, split, open.start_kwh, fixed_kwh, fixed_kwh, true, open.starts_at});
        sc.open.push_back({split, open.end, fixed_kwh, open.end_lo_kwh, open.end_hi_kwh, open.end_fixed,
                           static_cast<int8_t>(at_floor ? -1 : 1)});
        continue;
      }
    }
    sc.stretches.push_back({open.from, open.end, shift, bound, open.starts_at});
  }
  if (hint != nullptr) record_hint(sc.stretches, *hint);
}

}  // namespace voltpool::spread
