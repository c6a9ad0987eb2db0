#include "flex/spread_car.hpp"

#include <algorithm>
#include <limits>

namespace voltpool::spread {

namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

// A path passing its floor or ceiling by more than this is bound there (a rounding of a window's kWh below).
constexpr double kPassKwh = 1e-11;

double step_kwh(const CarRange& car, int t) { return car.step_cap_kw(t - car.first_step) * car.kwh_per_kw_step; }

// The energy the steps `order` take in at shift s.
double energy_at(const CarRange& car, const std::vector<double>& z, std::span<const int> order, double s) {
  double energy = 0;
  for (int t : order) energy += step_kwh(car, t) * std::clamp(z[t] + s, -car.low, 1.0);
  return energy;
}

// The least shift at which the steps `order` (by z, highest first) take in `goal`: their energy is piecewise
// linear in s, rising from all at -low to all at the cap, with kinks where a step leaves -low (s = -low - z)
// and reaches its cap (s = 1 - z), both in the order of `order`. A goal beyond the ends gets the end's shift.
double shift_to(const CarRange& car, const std::vector<double>& z, std::span<const int> order, double goal) {
  const size_t w = order.size();
  if (w == 0) return 0;
  double s = -car.low - z[order[0]], energy = 0, slope = 0;
  for (int t : order) energy -= car.low * step_kwh(car, t);
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

}  // namespace

void price_stretches(const CarRange& car, const std::vector<double>& z, std::span<const int> window_order,
                     CarScratch& sc) {
  sc.stretches.clear();
  sc.open.clear();
  sc.orders.clear();
  sc.open.push_back({0, car.window, 0.0, car.end_lo_kwh, car.end_hi_kwh, false, CarScratch::kWindowOrder, 0});
  while (!sc.open.empty()) {
    const CarScratch::Open open = sc.open.back();
    sc.open.pop_back();
    auto order_of = [&](const CarScratch::Open& o) {
      return o.order_at == CarScratch::kWindowOrder ? window_order
                                                    : std::span<const int>(sc.orders.data() + o.order_at, o.order_size);
    };
    const std::span<const int> order = order_of(open);
    double shift = 0;
    bool bound = open.end_fixed;
    if (bound) {
      shift = shift_to(car, z, order, open.end_lo_kwh - open.start_kwh);
    } else {
      const double at_zero = open.start_kwh + energy_at(car, z, order, 0.0);
      bound = at_zero < open.end_lo_kwh || at_zero > open.end_hi_kwh;
      if (bound) {
        const double goal = at_zero < open.end_lo_kwh ? open.end_lo_kwh : open.end_hi_kwh;
        shift = shift_to(car, z, order, goal - open.start_kwh);
      }
    }
    // A car that only charges never passes its floor (its energy only rises) nor its ceiling (its departure
    // range is within it).
    if (car.low > 0 && open.end - open.from > 1) {
      double energy = open.start_kwh, lowest = kInfinity, highest = -kInfinity;
      int at_lowest = 0, at_highest = 0;
      for (int k = open.from; k < open.end - 1; ++k) {
        const int t = car.first_step + k;
        energy += step_kwh(car, t) * std::clamp(z[t] + shift, -car.low, 1.0);
        if (energy < lowest) lowest = energy, at_lowest = k;
        if (energy > highest) highest = energy, at_highest = k;
      }
      const double below = car.floor_kwh - lowest, above = highest - car.ceiling_kwh;
      if (below > kPassKwh || above > kPassKwh) {
        // Bound at the end of the step that passes the most: the stretch splits after it, each side's steps
        // by z taken from this one's.
        const bool at_floor = below >= above;
        const int split = (at_floor ? at_lowest : at_highest) + 1;
        const double fixed_kwh = at_floor ? car.floor_kwh : car.ceiling_kwh;
        const size_t size = order.size(), before_at = sc.orders.size(), left = static_cast<size_t>(split - open.from);
        sc.orders.resize(before_at + size);
        const std::span<const int> from_order = order_of(open);  // the resize may have moved it
        size_t at_left = before_at, at_right = before_at + left;
        for (int t : from_order) sc.orders[t - car.first_step < split ? at_left++ : at_right++] = t;
        sc.open.push_back({open.from, split, open.start_kwh, fixed_kwh, fixed_kwh, true, before_at, left});
        sc.open.push_back({split, open.end, fixed_kwh, open.end_lo_kwh, open.end_hi_kwh, open.end_fixed,
                           before_at + left, size - left});
        continue;
      }
    }
    sc.stretches.push_back({open.from, open.end, shift, bound});
  }
}

}  // namespace voltpool::spread
