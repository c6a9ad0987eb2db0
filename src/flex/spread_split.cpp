#include "flex/spread_split.hpp"

#include "core/compensated_sum.hpp"
#include "flex/envelope.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <span>
#include <thread>
#include <utility>
#include <vector>

namespace voltpool {

bool spread_splittable(const PlanningProblem& p) {
  // Only the cars' boxes and energy ranges: anything else the planner carries is the decomposition's.
  if (p.has_feeder_limits() || p.steps > kMaxSpreadSteps || !p.guardrails.empty() || !p.vehicle_wear.empty() ||
      p.has_soft_floors() || p.hold_steps > 0 || p.shortfall_cap_kwh || p.centring_eur_per_h > 0) {
    return false;
  }
  const PlanVehicles& v = p.vehicles;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v.discharge_max_kw[i] > 0) return false;
  }
  return true;
}

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr size_t kBlockCars = 256;  // a block's plain sum errs by at most 256 roundings of itself

// A run of a class's window steps by z, [from, to), whose pairs lose weight w from the Jacobian.
struct Run {
  uint32_t cls;
  uint16_t from, to;
  double w;
};

// One pass's sums over the fleet (per worker, then added up).
struct PassSums {
  std::vector<Run> runs;
  std::vector<CompensatedSum> fleet;  // per step: the fleet's power, kW
  std::vector<double> jacobian;       // steps x steps: d fleet power / d z
  double spread = 0;                  // sum over cars and steps of kw^2 / (2 cap)
  // Per step, how far z must fall before a car at its cap there comes off it, and rise before a car at 0 starts.
  std::vector<double> to_leave_cap, to_leave_zero;
  PassSums(size_t steps, bool with_jacobian)
      : fleet(steps), jacobian(with_jacobian ? steps * steps : 0, 0.0), to_leave_cap(steps, kInf),
        to_leave_zero(steps, kInf) {}
  void add(const PassSums& o) {
    for (size_t t = 0; t < fleet.size(); ++t) {
      fleet[t].add(o.fleet[t]);
      to_leave_cap[t] = std::min(to_leave_cap[t], o.to_leave_cap[t]);
      to_leave_zero[t] = std::min(to_leave_zero[t], o.to_leave_zero[t]);
    }
    for (size_t x = 0; x < jacobian.size(); ++x) jacobian[x] += o.jacobian[x];
    spread += o.spread;
  }
};

class Splitter {
 public:
  explicit Splitter(const PlanningProblem& p) : p_(p), v_(p.vehicles), steps_(static_cast<size_t>(p.steps)) {
    const size_t n = v_.size();
    offset_.assign(n + 1, 0);
    lo_kwh_.resize(n);
    hi_kwh_.resize(n);
    for (size_t i = 0; i < n; ++i) {
      offset_[i + 1] = offset_[i] + static_cast<size_t>(v_.window(i));
      // Battery-side energy to take in: at least its departure floor, at most up to its ceiling.
      hi_kwh_[i] = std::max(0.0, v_.e_max_kwh[i] - v_.e0_kwh[i]);
      lo_kwh_[i] = std::max(0.0, departure_floor_kwh(p, i));
    }
    workers_ = n < 4096 ? 1u : std::max(1u, std::min(2u, std::thread::hardware_concurrency()));
    // Cars of one window share its steps' order by z: one per (first, end) pair.
    std::vector<int> class_at(steps_ * (steps_ + 1), -1);
    class_of_.resize(n);
    for (size_t i = 0; i < n; ++i) {
      int& c = class_at[static_cast<size_t>(v_.first_step[i]) * (steps_ + 1) + static_cast<size_t>(v_.end_step[i])];
      if (c < 0) {
        c = static_cast<int>(class_window_.size());
        class_window_.emplace_back(v_.first_step[i], v_.end_step[i]);
      }
      class_of_[i] = c;
    }
  }

  const std::vector<size_t>& offset() const { return offset_; }
  double cap_kw(size_t i, int k) const { return v_.charge_max_kw[i] * v_.fraction(i, k); }

  // Every car's power at utilisations z into kw (plan layout); the fleet's sums. With `polish`, each car then
  // moves by its own Jacobian times polish on the steps where it is free (its energy kept where it is bound):
  // the fleet moves by the fleet's Jacobian times polish, as Newton's linear model says, without crossing into
  // other cars' kinks (the last hundredths of a watt of a fleet of millions).
  // Without kw the powers are only summed (Newton's passes need the sums alone: no plan-sized writes).
  PassSums pass(const std::vector<double>& z, bool with_jacobian, std::span<double> kw = {},
                const std::vector<double>* polish = nullptr) const {
    std::vector<int> order(steps_);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return z[a] > z[b]; });
    // Each window's steps by z, highest first, laid out class after class.
    std::vector<size_t> class_start(class_window_.size() + 1, 0);
    std::vector<int> class_order;
    for (size_t c = 0; c < class_window_.size(); ++c) {
      const auto [first, end] = class_window_[c];
      for (int t : order) {
        if (t >= first && t < end) class_order.push_back(t);
      }
      class_start[c + 1] = class_order.size();
    }
    std::vector<PassSums> sums(workers_, PassSums(steps_, with_jacobian));
    auto work = [&](unsigned w) {
      const size_t n = v_.size(), begin = n * w / workers_, end = n * (w + 1) / workers_;
      std::vector<int> free;
      std::vector<double> scratch(kw.empty() ? steps_ : 0);
      PassSums& out = sums[w];
      // The fleet's power summed plainly over blocks of kBlockCars cars, the blocks compensated.
      std::vector<double> block(steps_, 0.0);
      size_t in_block = 0;
      double spread = 0;
      auto flush = [&] {
        for (size_t t = 0; t < steps_; ++t) out.fleet[t].add(std::exchange(block[t], 0.0));
        in_block = 0;
      };
      for (size_t i = begin; i < end; ++i) {
        if (++in_block > kBlockCars) flush();
        const int first = v_.first_step[i], last = v_.end_step[i];
        const size_t cls = static_cast<size_t>(class_of_[i]);
        std::span<const int> window(class_order.data() + class_start[cls], class_start[cls + 1] - class_start[cls]);
        const double s = shift(i, z, window);
        const bool constrained = s != 0;
        double* x = kw.empty() ? scratch.data() : kw.data() + offset_[i];
        free.clear();
        double free_cap = 0;
        for (int t = first; t < last; ++t) {
          const int k = t - first;
          const double c = cap_kw(i, k), u = z[t] + s, used = std::clamp(u, 0.0, 1.0);
          x[k] = c * used;
          if (polish == nullptr) {
            block[t] += x[k];
            spread += 0.5 * x[k] * used;  // kw^2 / (2 cap)
          }
          if (c <= 0) continue;
          if (u >= 1) {
            out.to_leave_cap[t] = std::min(out.to_leave_cap[t], u - 1);
          } else if (u <= 0) {
            out.to_leave_zero[t] = std::min(out.to_leave_zero[t], -u);
          } else {
            free.push_back(t);
            free_cap += c;
          }
        }
        if (polish != nullptr && !free.empty()) polish_car(i, *polish, constrained, free, free_cap, x);
        if (polish != nullptr) {
          for (int t = first; t < last; ++t) {
            const int k = t - first;
            const double c = cap_kw(i, k);
            block[t] += x[k];
            if (c > 0) spread += x[k] * x[k] / (2 * c);
          }
        }
        if (!with_jacobian) continue;
        double* jac = out.jacobian.data();
        for (int t : free) jac[static_cast<size_t>(t) * steps_ + t] += cap_kw(i, t - first);
        if (!constrained || free_cap <= 0) continue;
        // A car bound to its energy takes back what its free steps move alike: minus c_a c_b / (its free kW) over
        // its free steps. Where they all have its full power c, that is c / |free| over a run of its window's steps
        // by z (those with 0 < z + s < 1), summed per class and run after the pass; else here.
        size_t from = 0, to = 0;
        while (from < window.size() && z[window[from]] + s >= 1) ++from;
        for (to = from; to < window.size() && z[window[to]] + s > 0;) ++to;
        const bool uniform = to - from == free.size() && std::all_of(free.begin(), free.end(), [&](int t) {
                               return cap_kw(i, t - first) == v_.charge_max_kw[i];
                             });
        if (uniform) {
          const double cap = v_.charge_max_kw[i];
          out.runs.push_back(Run{static_cast<uint32_t>(cls), static_cast<uint16_t>(from), static_cast<uint16_t>(to),
                                 cap * cap / free_cap});
          continue;
        }
        for (int a : free) {
          const double ca = cap_kw(i, a - first) / free_cap;
          for (int b : free) jac[static_cast<size_t>(a) * steps_ + b] -= ca * cap_kw(i, b - first);
        }
      }
      flush();
      out.spread = spread;
    };
    if (workers_ > 1) {
      std::vector<std::jthread> threads;
      for (unsigned w = 1; w < workers_; ++w) threads.emplace_back(work, w);
      work(0);
    } else {
      work(0);
    }
    for (unsigned w = 1; w < workers_; ++w) sums[0].add(sums[w]);
    if (with_jacobian) take_runs(sums, class_order, class_start, sums[0].jacobian);
    return std::move(sums[0]);
  }

  // The runs' share of the Jacobian: per class, every run [from, to) of its window's steps by z takes weight w
  // off each pair of its steps; pair (a, b), a <= b, loses the weights of the runs with from <= a and to > b,
  // summed by prefix over `from` and suffix over `to` (window^2 per class with runs).
  void take_runs(const std::vector<PassSums>& sums, const std::vector<int>& class_order,
                 const std::vector<size_t>& class_start, std::vector<double>& jacobian) const {
    std::vector<size_t> count(class_window_.size() + 1, 0);
    for (const PassSums& s : sums) {
      for (const Run& r : s.runs) ++count[r.cls + 1];
    }
    for (size_t c = 0; c < class_window_.size(); ++c) count[c + 1] += count[c];
    std::vector<Run> by_class(count.back());
    std::vector<size_t> at(count.begin(), count.end() - 1);
    for (const PassSums& s : sums) {
      for (const Run& r : s.runs) by_class[at[r.cls]++] = r;
    }
    std::vector<double> weight;
    for (size_t c = 0; c < class_window_.size(); ++c) {
      if (count[c] == count[c + 1]) continue;
      const size_t w = class_start[c + 1] - class_start[c];
      const int* order = class_order.data() + class_start[c];
      weight.assign((w + 1) * (w + 1), 0.0);  // [from][to]
      for (size_t k = count[c]; k < count[c + 1]; ++k) weight[by_class[k].from * (w + 1) + by_class[k].to] += by_class[k].w;
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
          const size_t ta = static_cast<size_t>(order[a]), tb = static_cast<size_t>(order[b]);
          jacobian[ta * steps_ + tb] -= lost;
          if (a != b) jacobian[tb * steps_ + ta] -= lost;
        }
      }
    }
  }

 private:
  // Car i's move by its own Jacobian times `polish` on its free steps: c (polish - along), `along` the mean
  // that keeps its energy where it is bound; scaled down where that would take a step out of [0, c] or an
  // unbound car's energy out of its range, so the car stays whole (the fleet then misses a little of the step).
  void polish_car(size_t i, const std::vector<double>& polish, bool constrained, const std::vector<int>& free,
                  double free_cap, double* x) const {
    const int first = v_.first_step[i];
    double along = 0;
    if (constrained) {
      for (int t : free) along += cap_kw(i, t - first) * polish[t];
      along /= free_cap;
    }
    double scale = 1, moved_kw = 0, stored_kw = 0;
    for (int t : free) {
      const double c = cap_kw(i, t - first), d = c * (polish[t] - along), kw = x[t - first];
      if (kw + d > c) scale = std::min(scale, (c - kw) / d);
      if (kw + d < 0) scale = std::min(scale, kw / -d);
      moved_kw += d;
    }
    if (!constrained && moved_kw != 0) {
      for (int k = 0; k < v_.window(i); ++k) stored_kw += x[k];
      const double per_kw = v_.eta_charge[i] * p_.dt_h, energy = stored_kw * per_kw, change = moved_kw * per_kw;
      if (energy + change > hi_kwh_[i]) scale = std::min(scale, std::max(0.0, (hi_kwh_[i] - energy) / change));
      if (energy + change < lo_kwh_[i]) scale = std::min(scale, std::max(0.0, (lo_kwh_[i] - energy) / change));
    }
    for (int t : free) x[t - first] += scale * cap_kw(i, t - first) * (polish[t] - along);
  }

  // The car's shift s: 0 if its energy at z alone lies in its range, else the shift that meets the range's
  // nearer end. Its energy is piecewise linear in s, rising from 0 (every step clipped at 0) to all it can
  // take: the kinks are where a step leaves 0 (s = -z) and reaches its cap (s = 1 - z), both in the order of
  // window_order (the window's steps by z, highest first).
  double shift(size_t i, const std::vector<double>& z, std::span<const int> window_order) const {
    const int first = v_.first_step[i];
    const double per_kw = v_.eta_charge[i] * p_.dt_h;
    double at_zero = 0;
    for (int t : window_order) at_zero += cap_kw(i, t - first) * std::clamp(z[t], 0.0, 1.0);
    at_zero *= per_kw;
    if (at_zero >= lo_kwh_[i] && at_zero <= hi_kwh_[i]) return 0;
    const double goal = at_zero < lo_kwh_[i] ? lo_kwh_[i] : hi_kwh_[i];
    const size_t w = window_order.size();
    if (w == 0) return 0;
    double s = -z[window_order[0]], energy = 0, slope = 0;
    if (goal <= 0) return s;
    size_t a = 0, b = 0;  // next step to leave 0, next to reach its cap
    while (a < w || b < w) {
      const double next_a = a < w ? -z[window_order[a]] : kInf, next_b = b < w ? 1 - z[window_order[b]] : kInf;
      const double next = std::min(next_a, next_b);
      const double energy_next = energy + slope * (next - s);
      if (energy_next >= goal && slope > 0) return s + (goal - energy) / slope;
      energy = energy_next;
      s = next;
      if (next_a <= next_b) {
        slope += cap_kw(i, window_order[a] - first) * per_kw;
        ++a;
      } else {
        slope -= cap_kw(i, window_order[b] - first) * per_kw;
        ++b;
      }
    }
    return s;  // the goal is all the car can take: every step at its cap
  }

  const PlanningProblem& p_;
  const PlanVehicles& v_;
  size_t steps_;
  std::vector<size_t> offset_;
  std::vector<double> lo_kwh_, hi_kwh_;
  std::vector<int> class_of_;                         // per car: its window's class
  std::vector<std::pair<int, int>> class_window_;     // per class: first step, end step
  unsigned workers_ = 1;
};

// Solves m d = r on the active steps (the others get d = 0), m symmetric positive semi-definite: LDL^T, a step
// whose pivot falls to a billionth of its diagonal or below `floor` dropped (what it would move, the steps
// before it move already: a direction the fleet does not respond to).
std::vector<double> solve_psd(std::vector<double> m, const std::vector<double>& r, const std::vector<char>& active,
                              double floor) {
  const size_t n = r.size();
  std::vector<double> d(n, 0.0), y = r, diagonal(n);
  std::vector<char> used(n, 0);
  for (size_t k = 0; k < n; ++k) diagonal[k] = m[k * n + k];
  for (size_t k = 0; k < n; ++k) {
    if (!active[k]) continue;
    const double pivot = m[k * n + k];
    if (pivot <= std::max(floor, 1e-9 * diagonal[k])) continue;
    used[k] = 1;
    for (size_t i = k + 1; i < n; ++i) {
      if (!active[i] || m[i * n + k] == 0) continue;
      const double l = m[i * n + k] / pivot;
      for (size_t j = k + 1; j < n; ++j) m[i * n + j] -= l * m[k * n + j];
      y[i] -= l * y[k];
      m[i * n + k] = l;
    }
  }
  for (size_t k = n; k-- > 0;) {
    if (!used[k]) continue;
    double sum = y[k];
    for (size_t j = k + 1; j < n; ++j) {
      if (used[j]) sum -= m[k * n + j] * d[j];
    }
    d[k] = sum / m[k * n + k];
  }
  return d;
}

// The profile less the fleet's power, per step.
std::vector<double> residual_kw(std::span<const double> profile_kw, const PassSums& sums) {
  std::vector<double> r(profile_kw.size());
  for (size_t t = 0; t < r.size(); ++t) r[t] = profile_kw[t] - sums.fleet[t].value();
  return r;
}

double worst_of(const std::vector<double>& r) {
  double w = 0;
  for (double x : r) w = std::max(w, std::abs(x));
  return w;
}

// Newton's linear step at a pass: the fleet's Jacobian (plus damping x the most kW per step) solved for the
// residual r on the steps where some car is free (`active`; the others get 0).
std::vector<double> linear_step(const PassSums& sums, const std::vector<double>& r, const std::vector<double>& most_kw,
                                double damping, std::vector<char>& active) {
  const size_t steps = r.size();
  active.assign(steps, 0);
  double diag_max = 0;
  for (size_t t = 0; t < steps; ++t) diag_max = std::max(diag_max, sums.jacobian[t * steps + t]);
  const double floor = 1e-12 * std::max(1.0, diag_max);
  for (size_t t = 0; t < steps; ++t) active[t] = sums.jacobian[t * steps + t] > floor;
  std::vector<double> damped = sums.jacobian;
  for (size_t t = 0; t < steps; ++t) damped[t * steps + t] += damping * most_kw[t];
  return solve_psd(std::move(damped), r, active, floor);
}

constexpr double kLongestStep = 100;
constexpr double kRoundingKw = 1e-3;

// Newton on the dual from z until the profile is met within tolerance_kw (true), the residual stops shrinking (a
// profile the cars cannot meet exactly) or the passes run out; z ends at the last point reached, best_z at the
// point of the least residual seen.
bool newton(const Splitter& splitter, std::span<const double> profile_kw, const std::vector<double>& most_kw,
               double tolerance_kw, int max_passes, std::vector<double>& z, std::vector<double>& best_z,
               SpreadSplit& out) {
  const size_t steps = profile_kw.size();
  // The dual's value: the spread plus z . residual (its cars' terms summed without cancelling).
  auto dual_value = [&](const PassSums& s, const std::vector<double>& at, const std::vector<double>& res) {
    double d = s.spread;
    for (size_t t = 0; t < steps; ++t) d += at[t] * res[t];
    return d;
  };
  PassSums sums = splitter.pass(z, true);
  ++out.passes;
  std::vector<double> r = residual_kw(profile_kw, sums);
  double phi = dual_value(sums, z, r);
  // Levenberg-Marquardt: the Jacobian plus damping x the most kW per step (singular where every car present must
  // meet its energy exactly: shifting all steps alike changes nothing); less after a full step, more after a cut.
  double damping = 1e-9;
  // Stalled: no new best residual (by a tenth) in 16 accepted steps (Newton's residual may rise for a dozen steps
  // while the cars' free steps change: random fleets of 100,000 with partial steps and lossy chargers took up to
  // 12; one that stays is a profile the fleet cannot follow), or in 2 once it is below kRoundingKw (a profile off
  // by its rounding, which the caller closes car by car).
  int stalled = 0;
  double best = worst_of(r);
  best_z = z;
  std::vector<double> trial(steps);
  while (true) {
    out.worst_kw = worst_of(r);
    if (out.worst_kw <= tolerance_kw) return true;
    if (stalled >= (best <= kRoundingKw ? 2 : 16) || out.passes >= max_passes) return false;
    std::vector<char> active;
    std::vector<double> dz = linear_step(sums, r, most_kw, damping, active);
    // A step where no car is free, off the profile, moves to where the nearest car comes free (a little past it,
    // by the utilisation its residual asks of every car present).
    for (size_t t = 0; t < steps; ++t) {
      if (active[t] || most_kw[t] <= 0 || std::abs(r[t]) <= tolerance_kw) continue;
      const double to_kink = r[t] < 0 ? -sums.to_leave_cap[t] : sums.to_leave_zero[t];
      if (std::isfinite(to_kink)) dz[t] = to_kink + std::clamp(r[t] / most_kw[t], -1.0, 1.0);
    }
    // No utilisation moves by more than kLongestStep in one step (a near-singular Jacobian's step can be huge).
    double longest = 0;
    for (double d : dz) longest = std::max(longest, std::abs(d));
    if (longest > kLongestStep) {
      for (double& d : dz) d *= kLongestStep / longest;
    }
    double slope = 0;
    for (size_t t = 0; t < steps; ++t) slope += r[t] * dz[t];
    // Along dz the dual is concave and piecewise quadratic, its slope r(z + alpha dz) . dz falling from `slope`:
    // the full step if the dual still rises there (Armijo), else the slope's zero, bracketed by regula falsi
    // (Illinois), until a point raises the dual.
    if (!(slope > 0)) return false;  // no way up along it
    double lo = 0, lo_slope = slope, hi = 1, hi_slope = 0;
    bool have_hi = false, moved = false;
    int side = 0;
    for (int k = 0; k < 8 && out.passes < max_passes; ++k) {
      const double alpha = !have_hi                 ? 1.0
                           : lo_slope - hi_slope > 0 ? lo + (hi - lo) * lo_slope / (lo_slope - hi_slope)
                                                     : 0.5 * (lo + hi);
      for (size_t t = 0; t < steps; ++t) trial[t] = z[t] + alpha * dz[t];
      PassSums next = splitter.pass(trial, true);
      ++out.passes;
      std::vector<double> r_next = residual_kw(profile_kw, next);
      const double phi_next = dual_value(next, trial, r_next);
      double slope_next = 0;
      for (size_t t = 0; t < steps; ++t) slope_next += r_next[t] * dz[t];
      // Still rising at alpha (slope_next >= 0) means it rose all the way there (concave), whatever the rounding of
      // a million cars' sums says of the values.
      if (phi_next >= phi + 1e-4 * alpha * slope || slope_next >= 0) {
        const double w = worst_of(r_next);
        stalled = w > 0.9 * best ? stalled + 1 : 0;
        if (w < best) {
          best = w;
          best_z = trial;
        }
        z = trial;
        sums = std::move(next);
        r = std::move(r_next);
        phi = phi_next;
        moved = true;
        damping = k == 0 ? std::max(1e-12, damping / 10) : damping;
        break;
      }
      damping = std::min(1.0, damping * 10);
      if (slope_next > 0) {
        lo = alpha, lo_slope = slope_next;
        if (side == -1) hi_slope *= 0.5;
        side = -1;
      } else {
        hi = alpha, hi_slope = slope_next;
        have_hi = true;
        if (side == 1) lo_slope *= 0.5;
        side = 1;
      }
    }
    if (!moved) return false;
  }
}

}  // namespace

std::optional<SpreadSplit> spread_split(const PlanningProblem& p, std::span<const double> profile_kw,
                                        double tolerance_kw, int max_passes) {
  if (!spread_splittable(p) || profile_kw.size() != static_cast<size_t>(p.steps)) return std::nullopt;
  if (!std::all_of(profile_kw.begin(), profile_kw.end(), [](double kw) { return std::isfinite(kw); })) {
    return std::nullopt;
  }
  const size_t steps = profile_kw.size();
  const PlanVehicles& v = p.vehicles;
  Splitter splitter(p);
  SpreadSplit out;
  out.plan.offset = splitter.offset();
  out.plan.kw.assign(out.plan.offset.back(), 0.0);
  // Start where every step's utilisation is the profile's share of the most the cars present could draw.
  std::vector<double> most_kw(steps, 0.0);
  for (size_t i = 0; i < v.size(); ++i) {
    for (int k = 0; k < v.window(i); ++k) most_kw[static_cast<size_t>(v.first_step[i] + k)] += splitter.cap_kw(i, k);
  }
  std::vector<double> z(steps, 0.0);
  for (size_t t = 0; t < steps; ++t) z[t] = most_kw[t] > 0 ? std::clamp(profile_kw[t] / most_kw[t], 0.0, 1.0) : 0.0;
  // A step asking more than all its cars can draw, or less than nothing, cannot be met: no Newton for it.
  for (size_t t = 0; t < steps; ++t) {
    if (profile_kw[t] > most_kw[t] + tolerance_kw || profile_kw[t] < -tolerance_kw) {
      out.worst_kw = worst_of(residual_kw(profile_kw, splitter.pass(z, false, out.plan.kw)));
      out.passes = 1;
      return out;
    }
  }
  std::vector<double> best_z;
  if (newton(splitter, profile_kw, most_kw, tolerance_kw, max_passes, z, best_z, out)) {
    splitter.pass(z, false, out.plan.kw);  // the split itself
    ++out.passes;
  } else {
    // At the point of the least residual, each car moves by its own Jacobian times the fleet's linear step (twice:
    // the second for what the first left), which the fleet's many kinks near the solution keep Newton's full
    // steps from reaching. A residual the cars cannot take (a profile off by more, or by its rounding) stays.
    PassSums at_best = splitter.pass(best_z, true, out.plan.kw);
    ++out.passes;
    std::vector<double> r = residual_kw(profile_kw, at_best), polish(steps, 0.0);
    out.worst_kw = worst_of(r);
    for (int round = 0; round < 2 && out.worst_kw > tolerance_kw; ++round) {
      std::vector<char> active;
      const std::vector<double> step = linear_step(at_best, r, most_kw, 1e-12, active);
      std::vector<double> tried = polish;
      for (size_t t = 0; t < steps; ++t) tried[t] += step[t];
      std::vector<double> r_polished = residual_kw(profile_kw, splitter.pass(best_z, false, out.plan.kw, &tried));
      ++out.passes;
      if (worst_of(r_polished) >= out.worst_kw) {
        splitter.pass(best_z, false, out.plan.kw, &polish);  // keep the better split
        ++out.passes;
        break;
      }
      polish = std::move(tried);
      r = std::move(r_polished);
      out.worst_kw = worst_of(r);
    }
  }
  return out;
}

}  // namespace voltpool
