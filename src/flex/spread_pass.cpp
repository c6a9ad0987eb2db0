#include "flex/spread_pass.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <optional>
#include <thread>

#include "flex/envelope.hpp"
#include "flex/spread_split.hpp"

namespace voltpool::spread {

// A window's steps fit the runs' and the hints' (BoundSteps) 16- and 8-bit step numbers.
static_assert(kMaxSpreadSteps <= 256);

Splitter::Splitter(const PlanningProblem& p, bool discharge, size_t min_class_cars)
    : p_(p), v_(p.vehicles), steps_(static_cast<size_t>(p.steps)) {
  const size_t n = v_.size();
  offset_.assign(n + 1, 0);
  lo_kwh_.resize(n);
  hi_kwh_.resize(n);
  low_.assign(n, 0.0);
  if (discharge) hints_.resize(n);
  pinned_.assign(n, 0);
  for (size_t i = 0; i < n; ++i) {
    offset_[i + 1] = offset_[i] + static_cast<size_t>(v_.window(i));
    if (discharge && v_.charge_max_kw[i] > 0) low_[i] = v_.discharge_max_kw[i] / v_.charge_max_kw[i];
    // Battery-side energy to take in: at least its departure floor (a car that only charges: at least
    // nothing), at most up to its ceiling.
    hi_kwh_[i] = std::max(0.0, v_.e_max_kwh[i] - v_.e0_kwh[i]);
    lo_kwh_[i] = low_[i] > 0 ? departure_floor_kwh(p, i) : std::max(0.0, departure_floor_kwh(p, i));
    // A car that must take all it can reach is pinned at its cap, however its floor and reach round.
    pinned_[i] = v_.charge_max_kw[i] > 0 && lo_kwh_[i] >= (1 - 1e-12) * charge_reach_kwh(p, i);
  }
  workers_ = n < 4096 ? 1u : std::max(1u, std::min(2u, std::thread::hardware_concurrency()));
  // Cars of one window share its steps' order by z: one class per (first, end) pair.
  std::vector<int> class_at(steps_ * (steps_ + 1), -1);
  std::vector<int> class_of(n);  // per car: its window's class
  for (size_t i = 0; i < n; ++i) {
    int& c =
        class_at[static_cast<size_t>(v_.first_step[i]) * (steps_ + 1) + static_cast<size_t>(v_.end_step[i])];
    if (c < 0) {
      c = static_cast<int>(class_window_.size());
      class_window_.emplace_back(v_.first_step[i], v_.end_step[i]);
    }
    class_of[i] = c;
  }
  // A window class's cars present for whole steps, with their energy ranges in steps at full power: grouped
  // by class (counting sort), priced as one where there are at least min_class_cars.
  auto whole_steps = [&](size_t i) {
    return v_.charge_max_kw[i] > 0 && low_[i] == 0 && v_.window(i) >= 1 && v_.first_fraction[i] == 1 &&
           (v_.window(i) == 1 || v_.last_fraction[i] == 1);
  };
  std::vector<size_t> start(class_window_.size() + 1, 0);
  for (size_t i = 0; i < n; ++i) {
    if (whole_steps(i)) ++start[static_cast<size_t>(class_of[i]) + 1];
  }
  std::vector<char> grouped(class_window_.size(), 0);
  std::vector<int> group_at(class_window_.size(), -1);
  std::vector<size_t> built;
  for (size_t c = 0; c < class_window_.size(); ++c) {
    grouped[c] = start[c + 1] >= min_class_cars;
    start[c + 1] = start[c] + (grouped[c] ? start[c + 1] : 0);
    if (!grouped[c]) continue;
    group_at[c] = static_cast<int>(built.size());
    built.push_back(c);
  }
  std::vector<ClassCar> members(start.back());
  std::vector<size_t> at(start.begin(), start.end() - 1);
  group_of_.assign(n, -1);
  for (size_t i = 0; i < n; ++i) {
    const size_t c = static_cast<size_t>(class_of[i]);
    if (!whole_steps(i) || !grouped[c]) {
      loose_.push_back(i);
      continue;
    }
    group_of_[i] = group_at[c];
    members[at[c]++] = class_car(i);
  }
  std::vector<std::optional<WholeStepClass>> classes(built.size());
  parallel([&](unsigned w) {
    for (size_t k = w; k < built.size(); k += workers_) {
      const size_t c = built[k];
      const auto [first, end] = class_window_[c];
      classes[k].emplace(static_cast<uint32_t>(c), first, end - first,
                         std::span<const ClassCar>(members.data() + start[c], start[c + 1] - start[c]));
    }
  });
  classes_.reserve(classes.size());
  for (auto& c : classes) classes_.push_back(std::move(*c));
}

CarRange Splitter::car_range(size_t i) const {
  CarRange car;
  car.first_step = v_.first_step[i];
  car.window = v_.window(i);
  car.cap_kw = v_.charge_max_kw[i];
  car.first_fraction = v_.first_fraction[i];
  car.last_fraction = v_.last_fraction[i];
  car.low = low_[i];
  car.kwh_per_kw_step = v_.eta_charge[i] * p_.dt_h;
  car.floor_kwh = v_.e_min_kwh[i] - v_.e0_kwh[i];
  car.ceiling_kwh = v_.e_max_kwh[i] - v_.e0_kwh[i];
  car.end_lo_kwh = lo_kwh_[i];
  car.end_hi_kwh = hi_kwh_[i];
  return car;
}

ClassCar Splitter::class_car(size_t i) const {
  const double per_step_kwh = v_.charge_max_kw[i] * v_.eta_charge[i] * p_.dt_h;
  return ClassCar{v_.charge_max_kw[i], pinned_[i] ? v_.window(i) : lo_kwh_[i] / per_step_kwh,
                  hi_kwh_[i] / per_step_kwh};
}

void Splitter::parallel(const std::function<void(unsigned)>& work) const {
  if (workers_ == 1) return work(0);
  std::vector<std::jthread> threads;
  for (unsigned w = 1; w < workers_; ++w) threads.emplace_back(work, w);
  work(0);
}

std::vector<double> Splitter::most_kw() const {
  // Whole inner steps by difference (+cap at the second step, -cap at the last), the partial ends directly.
  std::vector<CompensatedSum> inner(steps_ + 1), ends(steps_);
  for (size_t i = 0; i < v_.size(); ++i) {
    if (v_.window(i) < 1) continue;
    const size_t first = static_cast<size_t>(v_.first_step[i]), w = static_cast<size_t>(v_.window(i));
    ends[first].add(cap_kw(i, 0));
    if (w == 1) continue;
    ends[first + w - 1].add(cap_kw(i, static_cast<int>(w) - 1));
    if (w == 2) continue;
    inner[first + 1].add(v_.charge_max_kw[i]);
    inner[first + w - 1].add(-v_.charge_max_kw[i]);
  }
  std::vector<double> most(steps_);
  CompensatedSum running;
  for (size_t t = 0; t < steps_; ++t) {
    running.add(inner[t]);
    CompensatedSum at = running;
    at.add(ends[t]);
    most[t] = at.value();
  }
  return most;
}

std::vector<double> Splitter::most_discharge_kw() const {
  std::vector<CompensatedSum> sum(steps_);
  for (size_t i = 0; i < v_.size(); ++i) {
    if (low_[i] <= 0) continue;
    for (int k = 0; k < v_.window(i); ++k)
      sum[static_cast<size_t>(v_.first_step[i] + k)].add(low_[i] * cap_kw(i, k));
  }
  std::vector<double> most(steps_);
  for (size_t t = 0; t < steps_; ++t) most[t] = sum[t].value();
  return most;
}

Splitter::WindowOrder Splitter::order_windows(const std::vector<double>& z) const {
  std::vector<int> order(steps_);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return z[a] > z[b]; });
  WindowOrder out;
  out.all = order;
  out.start.assign(classes_.size() + 1, 0);
  for (size_t c = 0; c < classes_.size(); ++c) {
    const auto [first, end] = class_window_[classes_[c].cls()];
    for (int t : order) {
      if (t >= first && t < end) out.steps.push_back(t);
    }
    out.start[c + 1] = out.steps.size();
  }
  return out;
}

PassSums Splitter::pass(const std::vector<double>& z, bool with_jacobian, std::span<double> kw,
                        const std::vector<double>* polish) const {
  const WindowOrder order = order_windows(z);
  const bool by_class = polish == nullptr;
  // Its range tables (steps^2) only where some car is priced one by one.
  std::optional<StepRanges> ranges;
  if (!by_class || !loose_.empty()) ranges.emplace(z);
  std::vector<PassSums> sums(workers_, PassSums(steps_, with_jacobian));
  // Where no power is written, unclipped stretches are summed per range of steps (spread_range_sums.hpp).
  const bool by_range = kw.empty() && by_class;
  std::vector<RangeSums> range_sums;
  if (by_range) range_sums.assign(workers_, RangeSums(steps_));
  auto work = [&](unsigned w) {
    PassSums& out = sums[w];
    CarWork car_work;
    std::vector<double> scratch(kw.empty() ? steps_ : 0);
    BlockedStepSums fleet(steps_);  // the cars priced one by one
    double spread = 0;
    RangeSums* own_ranges = by_range ? &range_sums[w] : nullptr;
    auto price = [&](size_t i) {
      double* x = kw.empty() ? scratch.data() : kw.data() + offset_[i];
      price_car(i, *ranges, with_jacobian, polish, x, fleet.row(), spread, car_work, out, own_ranges);
    };
    if (by_class) {
      ClassScratch class_scratch;
      for (size_t c = w; c < classes_.size(); c += workers_) {
        classes_[c].add_to(z, order.of(c), with_jacobian, class_scratch, out);
      }
      const size_t n = loose_.size();
      for (size_t k = n * w / workers_; k < n * (w + 1) / workers_; ++k) price(loose_[k]);
    } else {
      const size_t n = v_.size();
      for (size_t i = n * w / workers_; i < n * (w + 1) / workers_; ++i) price(i);
    }
    fleet.add_to(out.fleet);
    out.spread += spread;
  };
  parallel(work);
  if (by_class && !kw.empty()) write_classes(z, order, kw);
  for (unsigned w = 1; w < workers_; ++w) sums[0].add(sums[w]);
  if (with_jacobian) take_runs(sums, order.all, sums[0].jacobian);
  if (by_range) {
    for (unsigned w = 1; w < workers_; ++w) range_sums[0].add(range_sums[w]);
    range_sums[0].add_to(z, sums[0].fleet, sums[0].jacobian);
  }
  return std::move(sums[0]);
}

void Splitter::write_classes(const std::vector<double>& z, const WindowOrder& order,
                             std::span<double> kw) const {
  std::vector<ClassScratch> kinks(classes_.size());
  parallel([&](unsigned w) {
    for (size_t c = w; c < classes_.size(); c += workers_) classes_[c].find_kinks(z, order.of(c), kinks[c]);
  });
  // Car after car (each worker its own part of the plan: written in order, its pages touched by it first).
  parallel([&](unsigned w) {
    const size_t n = v_.size();
    for (size_t i = n * w / workers_; i < n * (w + 1) / workers_; ++i) {
      const int g = group_of_[i];
      if (g >= 0)
        classes_[static_cast<size_t>(g)].write(class_car(i), kinks[static_cast<size_t>(g)], z,
                                               kw.data() + offset_[i]);
    }
  });
}

void Splitter::price_car(size_t i, const StepRanges& z, bool with_jacobian, const std::vector<double>* polish,
                         double* x, double* fleet_kw, double& spread, CarWork& work, PassSums& out,
                         RangeSums* range_sums) const {
  const int first = v_.first_step[i], last = v_.end_step[i];
  // The car's own spread, summed here and added once (the caller's sum, behind a reference the powers' stores
  // may alias, would be reloaded at every step).
  double own_spread = 0;
  if (pinned_[i]) {  // at its cap at every step, whatever z: nothing to move, never comes off
    for (int t = first; t < last; ++t) {
      x[t - first] = cap_kw(i, t - first);
      fleet_kw[t] += x[t - first];
      own_spread += 0.5 * x[t - first];
    }
    spread += own_spread;
    return;
  }
  const CarRange car = car_range(i);
  price_stretches(car, z, work.car, car.low > 0 ? &hints_[i] : nullptr);
  work.free.clear();
  work.moving.clear();
  for (size_t j = 0; j < work.car.stretches.size(); ++j) {
    const Stretch& stretch = work.car.stretches[j];
    if (stretch.end == stretch.from) continue;  // a car with an empty window
    // A step held between two bounds (the car sitting at its floor or ceiling) moves nothing with z: its
    // free kW on the Jacobian's diagonal and what the stretch takes back cancel, so it is not counted free.
    const bool held = stretch.bound && stretch.end - stretch.from == 1;
    const int len = stretch.end - stretch.from, a = first + stretch.from, b = first + stretch.end;
    const bool whole_steps = (stretch.from > 0 || car.first_fraction == 1) &&
                             (stretch.end < car.window || car.window == 1 || car.last_fraction == 1);
    if (range_sums != nullptr && !held && whole_steps &&
        unclipped(car, z, stretch.from, stretch.end, stretch.shift)) {
      // Every step free, none at its cap or its lowest: summed with its range's stretches.
      range_sums->add(a, b, car.cap_kw, stretch.shift, stretch.bound);
      const double mean_used = z.mean(a, b) + stretch.shift;  // kw^2 / (2 cap), summed without cancelling
      own_spread += 0.5 * car.cap_kw * (z.squared_deviations(a, b) + len * mean_used * mean_used);
      continue;
    }
    const size_t free_from = work.free.size();
    double free_cap = 0;
    uint32_t at_cap = 0, above_low = 0;
    for (int k = stretch.from; k < stretch.end; ++k) {
      const int t = first + k;
      const double c = car.step_cap_kw(k), u = z[t] + stretch.shift, used = std::clamp(u, -car.low, 1.0);
      x[k] = c * used;
      if (polish == nullptr) {
        fleet_kw[t] += x[k];
        own_spread += 0.5 * x[k] * used;  // kw^2 / (2 cap)
      }
      at_cap += u >= 1;
      above_low += u > -car.low;
      if (c <= 0) continue;
      if (u >= 1) {
        out.to_leave_cap[t] = std::min(out.to_leave_cap[t], u - 1);
      } else if (u <= -car.low) {
        out.to_leave_low[t] = std::min(out.to_leave_low[t], -car.low - u);
      } else if (!held) {
        work.free.push_back(t);
        free_cap += c;
      }
    }
    if (work.free.size() > free_from) {
      work.moving.push_back({static_cast<uint32_t>(j), static_cast<uint32_t>(free_from),
                             static_cast<uint32_t>(work.free.size()), at_cap, above_low, free_cap});
    }
  }
  if (polish != nullptr) {
    polish_car(car, work, *polish, x);
    for (int t = first; t < last; ++t) {
      const int k = t - first;
      const double c = car.step_cap_kw(k);
      fleet_kw[t] += x[k];
      if (c > 0) own_spread += x[k] * x[k] / (2 * c);
    }
  }
  spread += own_spread;
  if (!with_jacobian) return;
  for (const CarWork::Moving& m : work.moving) {
    add_stretch_jacobian(car, work.car.stretches[m.stretch],
                         std::span<const int>(work.free.data() + m.free_from, m.free_to - m.free_from), m,
                         out);
  }
}

// A stretch's free steps each add their kW to the Jacobian's diagonal. Bound to its energy at both ends, the
// stretch takes back what they move alike: minus c_a c_b / (its free kW) over its free steps. Where they all
// have the car's full power c, that is c / |free| over a run of the stretch's steps by z (those with
// -low < z + s < 1: those after its at_cap steps at their cap, before the rest at -low), summed per window
// and run after the pass; else here.
void Splitter::add_stretch_jacobian(const CarRange& car, const Stretch& stretch, std::span<const int> free,
                                    const CarWork::Moving& moving, PassSums& out) const {
  const double free_cap = moving.free_cap;
  const size_t at_cap = moving.at_cap, above_low = moving.above_low;
  double* jac = out.jacobian.data();
  for (int t : free) jac[static_cast<size_t>(t) * steps_ + t] += car.step_cap_kw(t - car.first_step);
  if (!stretch.bound || free_cap <= 0) return;
  const bool whole_steps = car.first_fraction == 1 && car.last_fraction == 1;
  const bool uniform =
      above_low - at_cap == free.size() && (whole_steps || std::all_of(free.begin(), free.end(), [&](int t) {
                                              return car.step_cap_kw(t - car.first_step) == car.cap_kw;
                                            }));
  if (uniform) {
    out.runs.push_back(Run{static_cast<uint16_t>(car.first_step + stretch.from),
                           static_cast<uint16_t>(car.first_step + stretch.end), static_cast<uint16_t>(at_cap),
                           static_cast<uint16_t>(above_low), car.cap_kw * car.cap_kw / free_cap});
    return;
  }
  for (int a : free) {
    const double ca = car.step_cap_kw(a - car.first_step) / free_cap;
    for (int b : free) jac[static_cast<size_t>(a) * steps_ + b] -= ca * car.step_cap_kw(b - car.first_step);
  }
}

// The runs' share of the Jacobian: per window, every run [from, to) of its steps by z takes weight w off each
// pair of its steps; pair (a, b), a <= b, loses the weights of the runs with from <= a and to > b, summed by
// prefix over `from` and suffix over `to` (steps in runs^2 per window with runs). Windows split between the
// workers; each one's steps by z are the steps' order filtered to it.
void Splitter::take_runs(const std::vector<PassSums>& sums, const std::vector<int>& all_steps,
                         std::vector<double>& jacobian) const {
  const size_t keys = steps_ * (steps_ + 1);
  auto key = [&](const Run& r) { return static_cast<size_t>(r.first) * (steps_ + 1) + r.end; };
  std::vector<size_t> count(keys + 1, 0);
  for (const PassSums& s : sums) {
    for (const Run& r : s.runs) ++count[key(r) + 1];
  }
  for (size_t c = 0; c < keys; ++c) count[c + 1] += count[c];
  std::vector<Run> by_window(count.back());
  std::vector<size_t> at(count.begin(), count.end() - 1);
  for (const PassSums& s : sums) {
    for (const Run& r : s.runs) by_window[at[key(r)]++] = r;
  }
  std::vector<size_t> with_runs;
  for (size_t c = 0; c < keys; ++c) {
    if (count[c] < count[c + 1]) with_runs.push_back(c);
  }
  std::vector<std::vector<double>> part(workers_);
  parallel([&](unsigned worker) {
    if (worker > 0) part[worker].assign(steps_ * steps_, 0.0);
    double* jac = worker == 0 ? jacobian.data() : part[worker].data();
    std::vector<double> weight;
    std::vector<int> steps;
    for (size_t k = worker; k < with_runs.size(); k += workers_) {
      const size_t c = with_runs[k];
      const std::span<const Run> runs(by_window.data() + count[c], count[c + 1] - count[c]);
      const int first = runs[0].first, end = runs[0].end;
      steps.clear();
      for (int t : all_steps) {
        if (t >= first && t < end) steps.push_back(t);
      }
      // Only the window's steps [lo, hi) by z are in any run; each run directly (its length squared) where
      // that costs less than the prefix sums over them (three times their number squared).
      size_t lo = steps.size(), hi = 0, direct = 0;
      for (const Run& r : runs) {
        lo = std::min<size_t>(lo, r.from);
        hi = std::max<size_t>(hi, r.to);
        direct += static_cast<size_t>(r.to - r.from) * static_cast<size_t>(r.to - r.from);
      }
      const size_t w = hi - lo;
      if (direct <= 3 * (w + 1) * (w + 1)) {
        for (const Run& r : runs) {
          for (size_t a = r.from; a < r.to; ++a) {
            double* row = jac + static_cast<size_t>(steps[a]) * steps_;
            for (size_t b = r.from; b < r.to; ++b) row[steps[b]] -= r.w;
          }
        }
        continue;
      }
      weight.assign((w + 1) * (w + 1), 0.0);  // [from - lo][to - lo]
      for (const Run& r : runs) weight[(r.from - lo) * (w + 1) + (r.to - lo)] += r.w;
      // Suffix over to: weight[from][b] = runs from `from` reaching past b.
      for (size_t from = 0; from <= w; ++from) {
        for (size_t to = w; to-- > 0;) weight[from * (w + 1) + to] += weight[from * (w + 1) + to + 1];
      }
      // Prefix over from; then pair (a, b), a <= b, loses weight[a][b + 1].
      for (size_t from = 1; from <= w; ++from) {
        for (size_t b = 0; b <= w; ++b) weight[from * (w + 1) + b] += weight[(from - 1) * (w + 1) + b];
      }
      for (size_t a = 0; a < w; ++a) {
        for (size_t b = a; b < w; ++b) {
          const double lost = weight[a * (w + 1) + b + 1];
          if (lost == 0) continue;
          const size_t ta = static_cast<size_t>(steps[lo + a]), tb = static_cast<size_t>(steps[lo + b]);
          jac[ta * steps_ + tb] -= lost;
          if (a != b) jac[tb * steps_ + ta] -= lost;
        }
      }
    }
  });
  for (unsigned worker = 1; worker < workers_; ++worker) {
    for (size_t x = 0; x < jacobian.size(); ++x) jacobian[x] += part[worker][x];
  }
}

// A car's move by its own Jacobian times `polish` on its free steps: c (polish - along), `along` per stretch
// bound to its energy the mean that keeps it (0 for the others); scaled down where that would take a step out
// of [-low c, c] or the car's energy out of its window or departure range, so the car stays whole (the fleet
// then misses a little of the step).
void Splitter::polish_car(const CarRange& car, CarWork& work, const std::vector<double>& polish,
                          double* x) const {
  std::vector<double>& move = work.move;
  move.assign(static_cast<size_t>(car.window), 0.0);
  double scale = 1;
  for (const CarWork::Moving& m : work.moving) {
    const std::span<const int> free(work.free.data() + m.free_from, m.free_to - m.free_from);
    double along = 0;
    if (work.car.stretches[m.stretch].bound && m.free_cap > 0) {
      for (int t : free) along += car.step_cap_kw(t - car.first_step) * polish[t];
      along /= m.free_cap;
    }
    for (int t : free) {
      const int k = t - car.first_step;
      const double c = car.step_cap_kw(k), d = c * (polish[t] - along);
      if (x[k] + d > c) scale = std::min(scale, (c - x[k]) / d);
      if (x[k] + d < -car.low * c) scale = std::min(scale, (x[k] + car.low * c) / -d);
      move[static_cast<size_t>(k)] = d;
    }
  }
  // The energy at each step's end, before and moved (a stretch bound at both ends keeps them, up to
  // rounding).
  double energy = 0, change = 0;
  for (int k = 0; k < car.window; ++k) {
    energy += x[k] * car.kwh_per_kw_step;
    change += move[static_cast<size_t>(k)] * car.kwh_per_kw_step;
    const bool last = k == car.window - 1;
    // Within the slack the pricing leaves at a bound (a rounding), so a car priced there still moves.
    const double lo = (last ? car.end_lo_kwh : car.floor_kwh) - kBoundSlackKwh,
                 hi = (last ? car.end_hi_kwh : car.ceiling_kwh) + kBoundSlackKwh;
    if (energy + change > hi) scale = std::min(scale, std::max(0.0, (hi - energy) / change));
    if (energy + change < lo) scale = std::min(scale, std::max(0.0, (lo - energy) / change));
  }
  for (int k = 0; k < car.window; ++k) x[k] += scale * move[static_cast<size_t>(k)];
}

}  // namespace voltpool::spread
