#include "flex/spread_class.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <utility>

namespace voltpool::spread {

namespace {

// Sorts cars by rho (>= 0: its bits order as the number), least significant byte first; bytes all cars share
// are skipped. A million cars' two ranges sort in a fraction of std::sort's time.
template <class Car>
void sort_by_rho(std::vector<Car>& cars) {
  if (cars.size() < 64) {
    std::sort(cars.begin(), cars.end(), [](const Car& x, const Car& y) { return x.rho < y.rho; });
    return;
  }
  std::vector<Car> other(cars.size());
  auto key = [](const Car& c) { return std::bit_cast<uint64_t>(c.rho); };
  for (int shift = 0; shift < 64; shift += 8) {
    std::array<size_t, 257> start{};
    for (const Car& c : cars) ++start[((key(c) >> shift) & 0xff) + 1];
    if (std::any_of(start.begin() + 1, start.end(), [&](size_t n) { return n == cars.size(); })) continue;
    for (size_t b = 0; b < 256; ++b) start[b + 1] += start[b];
    for (const Car& c : cars) other[start[(key(c) >> shift) & 0xff]++] = c;
    cars.swap(other);
  }
}

}  // namespace

WholeStepClass::ByRange::ByRange(std::vector<Car> unsorted) : cars(std::move(unsorted)) {
  sort_by_rho(cars);
  blocks.resize(cars.size() / kBlockCars + 1);
  Prefix sum;
  for (size_t k = 0; k < cars.size(); ++k) {
    if (k % kBlockCars == 0) blocks[k / kBlockCars] = sum;
    sum.add(cars[k]);
  }
  if (cars.size() % kBlockCars == 0) blocks.back() = sum;
  first_rho.reserve(blocks.size());
  for (size_t k = 0; k < cars.size(); k += kBlockCars) first_rho.push_back(cars[k].rho);
}

WholeStepClass::Prefix WholeStepClass::ByRange::before(size_t k) const {
  Prefix sum = blocks[k / kBlockCars];
  for (size_t j = k - k % kBlockCars; j < k; ++j) sum.add(cars[j]);
  return sum;
}

size_t WholeStepClass::ByRange::above(double x, size_t from) const {
  // The walks over G's pieces move a few cars at a time: galloping over the blocks' first cars from the block
  // after `from`'s (a small array, in cache), then along the one block the answer lies in.
  const size_t n = cars.size();
  if (from >= n || cars[from].rho > x) return from;
  const size_t blocks_n = first_rho.size();
  size_t lo = from / kBlockCars + 1, hi = lo,
         step = 1;  // first block whose first car lies above x: in [lo, hi]
  while (hi < blocks_n && first_rho[hi] <= x) {
    lo = hi + 1;
    hi += step;
    step *= 2;
  }
  hi = std::min(hi, blocks_n);
  const size_t block =
      static_cast<size_t>(std::upper_bound(first_rho.begin() + static_cast<std::ptrdiff_t>(lo),
                                           first_rho.begin() + static_cast<std::ptrdiff_t>(hi), x) -
                          first_rho.begin());
  size_t k = std::max(from, (block - 1) * kBlockCars);
  const size_t end = std::min(n, block * kBlockCars);
  while (k < end && cars[k].rho <= x) ++k;
  return k;
}

size_t WholeStepClass::ByRange::at_least(double x) const {
  return static_cast<size_t>(
      std::lower_bound(cars.begin(), cars.end(), x, [](const Car& c, double v) { return c.rho < v; }) -
      cars.begin());
}

namespace {

template <class Car>
std::vector<Car> ends(std::span<const ClassCar> cars, bool lower, double window) {
  std::vector<Car> out;
  out.reserve(cars.size());
  for (const ClassCar& c : cars) {
    // Only cars that can be bound to that end: some energy to take in, a ceiling below a full window.
    if (c.lo_steps >= window) continue;  // pinned at its cap
    if (lower ? c.lo_steps > 0 : c.hi_steps < window)
      out.push_back(Car{lower ? c.lo_steps : c.hi_steps, c.cap_kw});
  }
  return out;
}

}  // namespace

WholeStepClass::WholeStepClass(uint32_t cls, int first_step, int window, std::span<const ClassCar> cars)
    : cls_(cls),
      first_step_(first_step),
      lo_(ends<ByRange::Car>(cars, true, window)),
      hi_(ends<ByRange::Car>(cars, false, window)) {
  for (const ClassCar& c : cars) (c.lo_steps >= window ? pinned_kw_ : cap_kw_) += c.cap_kw;
}

void WholeStepClass::find_kinks(const std::vector<double>& z, std::span<const int> order,
                                ClassScratch& sc) const {
  const size_t w = order.size(), kinks = 2 * w, pieces = kinks - 1;
  // G's kinks, ascending (a step leaves 0 before it reaches its cap); piece k lies between kinks k and k + 1,
  // where the window's steps [piece_from, piece_to) by z are free.
  sc.kink_s.resize(kinks);
  sc.enter_kink.resize(w);
  sc.cap_kink.resize(w);
  sc.piece_from.resize(pieces);
  sc.piece_to.resize(pieces);
  size_t a = 0, b = 0;
  for (size_t k = 0; k < kinks; ++k) {
    const double next_a = a < w ? -z[order[a]] : kInf, next_b = b < w ? 1 - z[order[b]] : kInf;
    if (next_a <= next_b) {
      sc.kink_s[k] = next_a;
      sc.enter_kink[a++] = static_cast<int>(k);
    } else {
      sc.kink_s[k] = next_b;
      sc.cap_kink[b++] = static_cast<int>(k);
    }
    if (k < pieces) {
      sc.piece_from[k] = static_cast<int>(b);
      sc.piece_to[k] = static_cast<int>(a);
    }
  }
  sc.g.assign(kinks, 0.0);
  for (size_t k = 0; k < pieces; ++k) {
    sc.g[k + 1] = sc.g[k] + (sc.piece_to[k] - sc.piece_from[k]) * (sc.kink_s[k + 1] - sc.kink_s[k]);
  }
  sc.g0 = 0;
  for (int t : order) sc.g0 += std::clamp(z[t], 0.0, 1.0);
}

double WholeStepClass::shift_at(double rho, const ClassScratch& sc) {
  const size_t pieces = sc.g.size() - 1;
  if (rho <= 0) return sc.kink_s.front();
  if (rho > sc.g[pieces]) return sc.kink_s.back();
  // Piece k with g[k] < rho <= g[k + 1] (never a flat one).
  const size_t k = static_cast<size_t>(std::lower_bound(sc.g.begin(), sc.g.end(), rho) - sc.g.begin()) - 1;
  return sc.kink_s[k] + (rho - sc.g[k]) / (sc.piece_to[k] - sc.piece_from[k]);
}

void WholeStepClass::write(const ClassCar& c, const ClassScratch& kinks, const std::vector<double>& z,
                           double* kw) const {
  const size_t w = kinks.enter_kink.size();
  if (c.lo_steps >= static_cast<double>(w)) {  // pinned: every step at its cap
    std::fill(kw, kw + w, c.cap_kw);
    return;
  }
  const double s = c.lo_steps > kinks.g0   ? shift_at(c.lo_steps, kinks)
                   : c.hi_steps < kinks.g0 ? shift_at(c.hi_steps, kinks)
                                           : 0.0;
  const double* zw = z.data() + first_step_;
  for (size_t k = 0; k < w; ++k) kw[k] = c.cap_kw * std::clamp(zw[k] + s, 0.0, 1.0);
}

void WholeStepClass::add_to(const std::vector<double>& z, std::span<const int> order, bool with_jacobian,
                            ClassScratch& sc, PassSums& out) const {
  find_kinks(z, order, sc);
  const double g0 = sc.g0;
  const size_t w = order.size(), kinks = 2 * w, pieces = kinks - 1, steps = z.size();
  // Bound to their floor: lo cars with rho > G(0); to their ceiling: hi cars with rho < G(0); the rest free
  // (s = 0).
  const size_t lo_from = lo_.above(g0), lo_n = lo_.cars.size(), hi_to = hi_.at_least(g0);
  const double cap_free =
      static_cast<double>(cap_kw_ - (lo_.before(lo_n).cap - lo_.before(lo_from).cap) - hi_.before(hi_to).cap);

  sc.cap_before.assign(pieces + 1, 0);
  sc.shift_before.assign(pieces + 1, 0);
  sc.square_before.assign(pieces + 1, 0);
  sc.piece_min_s.assign(pieces, kInf);
  sc.piece_max_s.assign(pieces, -kInf);
  // Each list's cars on piece k: rho in (g[k], g[k + 1]], walked once (pieces and cars both ascend in rho);
  // floors only above G(0), ceilings only below it. Bounds G's top rounds below, like the cars pinned at
  // their cap: every step at its cap, whatever z (no Jacobian, never off it).
  const size_t after_from = std::max(lo_.above(sc.g[pieces]), lo_from);
  const size_t hi_after_from = std::min(hi_.above(sc.g[pieces]), hi_to);
  size_t lo_at = lo_from, hi_at = hi_.above(0.0);
  for (size_t k = 0; k < pieces; ++k) {
    const int count = sc.piece_to[k] - sc.piece_from[k];
    double cap = 0, shift = 0, square = 0;
    const double lower = sc.g[k], upper = sc.g[k + 1], s0 = sc.kink_s[k];
    // Cars [i0, i1) of r lie on this piece: s = s0 + (rho - lower) / count.
    auto take = [&](const ByRange& r, size_t i0, size_t i1) {
      if (i1 <= i0) return;
      // The prefix sums grow with the class (cap x rho to a million cars' kW x steps): differences and the
      // offset from `lower` in long double, what is left (one piece's cars) in double.
      const Prefix a = r.before(i0), b = r.before(i1);
      const long double c_ld = b.cap - a.cap, c_rho = b.cap_rho - a.cap_rho;
      const double c = static_cast<double>(c_ld);
      const double off = static_cast<double>(c_rho - lower * c_ld);  // sum of cap (rho - lower)
      const double off2 =                                            // sum of cap (rho - lower)^2
          static_cast<double>((b.cap_rho2 - a.cap_rho2) - 2 * lower * c_rho + lower * lower * c_ld);
      cap += c;
      shift += s0 * c + off / count;
      square += s0 * s0 * c + 2 * s0 * off / count + off2 / (count * count);
      sc.piece_min_s[k] = std::min(sc.piece_min_s[k], s0 + (r.cars[i0].rho - lower) / count);
      sc.piece_max_s[k] = std::max(sc.piece_max_s[k], s0 + (r.cars[i1 - 1].rho - lower) / count);
    };
    if (count > 0) {
      const size_t lo_to = std::min(std::max(lo_.above(upper, lo_at), lo_at), after_from),
                   hi_end = std::min(hi_.above(upper, hi_at), hi_after_from);
      take(lo_, lo_at, lo_to);
      take(hi_, hi_at, std::max(hi_end, hi_at));
      lo_at = lo_to;
      hi_at = std::max(hi_end, hi_at);
      if (with_jacobian && cap > 0) {
        out.runs.push_back(Run{static_cast<uint16_t>(first_step_), static_cast<uint16_t>(first_step_ + w),
                               static_cast<uint16_t>(sc.piece_from[k]),
                               static_cast<uint16_t>(sc.piece_to[k]), cap / count});
      }
    }
    sc.cap_before[k + 1] = sc.cap_before[k] + cap;
    sc.shift_before[k + 1] = sc.shift_before[k] + shift;
    sc.square_before[k + 1] = sc.square_before[k] + square;
  }
  const double cap_after =
      static_cast<double>(pinned_kw_ + lo_.before(lo_n).cap - lo_.before(after_from).cap +
                          hi_.before(hi_to).cap - hi_.before(hi_after_from).cap);
  // Ceilings at 0: every step at 0.
  const bool any_before = std::min(hi_.above(0.0), hi_to) > 0;
  // The nearest shift at or beyond each piece (cars at their cap past it) and before it (cars at 0).
  sc.after_min_s.assign(pieces + 1, kInf);  // the pinned cars never come off their cap
  for (size_t k = pieces; k-- > 0;) sc.after_min_s[k] = std::min(sc.after_min_s[k + 1], sc.piece_min_s[k]);
  sc.before_max_s.assign(pieces + 1, any_before ? sc.kink_s[0] : -kInf);
  for (size_t k = 0; k < pieces; ++k)
    sc.before_max_s[k + 1] = std::max(sc.before_max_s[k], sc.piece_max_s[k]);

  double spread = 0;
  for (size_t j = 0; j < w; ++j) {
    const size_t t = static_cast<size_t>(order[j]), e = static_cast<size_t>(sc.enter_kink[j]),
                 c = static_cast<size_t>(sc.cap_kink[j]);
    const double zt = z[t], used_free = std::clamp(zt, 0.0, 1.0);
    const double cap_free_steps = sc.cap_before[c] - sc.cap_before[e];
    const double shift_free_steps = sc.shift_before[c] - sc.shift_before[e];
    const double square_free_steps = sc.square_before[c] - sc.square_before[e];
    const double cap_capped = sc.cap_before[pieces] - sc.cap_before[c] + cap_after;
    out.fleet[t].add(zt * cap_free_steps + shift_free_steps + cap_capped + cap_free * used_free);
    spread += 0.5 * (zt * zt * cap_free_steps + 2 * zt * shift_free_steps + square_free_steps + cap_capped +
                     cap_free * used_free * used_free);
    if (with_jacobian) {
      out.jacobian[t * steps + t] += cap_free_steps + (zt > 0 && zt < 1 ? cap_free : 0);
    }
    double s_capped = sc.after_min_s[c], s_zero = sc.before_max_s[e];
    if (cap_free > 0 && zt >= 1) s_capped = std::min(s_capped, 0.0);
    if (cap_free > 0 && zt <= 0) s_zero = std::max(s_zero, 0.0);
    if (s_capped < kInf) out.to_leave_cap[t] = std::min(out.to_leave_cap[t], zt + s_capped - 1);
    if (s_zero > -kInf) out.to_leave_low[t] = std::min(out.to_leave_low[t], -(zt + s_zero));
  }
  out.spread += spread;
}

}  // namespace voltpool::spread
