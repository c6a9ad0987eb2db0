// Cars of one window that charge over whole steps, priced together by the spread split. At utilisations z
// each takes cap * clamp(z(t) + s, 0, 1); its shift s follows from its energy range counted in full-power
// steps (rho = kWh / (cap * eta * dt)) through one function of the window, G(s) = sum over its steps of
// clamp(z(t) + s, 0, 1): s = 0 while G(0) lies in its range, else G's inverse at the range's nearer end.
// G is piecewise linear, with kinks where a step leaves 0 (s = -z) and reaches its cap (s = 1 - z), and on
// each piece a car's power is linear in rho. So, with the cars sorted by rho once and prefix sums of cap and
// cap x rho, a pass prices the class in O(window x log cars) instead of O(window x cars).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "flex/spread_sums.hpp"

namespace voltpool::spread {

struct ClassCar {
  double cap_kw;    // its most kW (> 0), every step of the window
  double lo_steps;  // energy to take in at least and at most, in steps at cap_kw (battery side); lo_steps =
                    // window: pinned at its cap (all it can reach)
  double hi_steps;
};

// G at one z, and per-pass working memory of WholeStepClass::add_to (one per worker, reused across classes).
struct ClassScratch {
  double g0 = 0;  // G(0)
  std::vector<double> kink_s, g, piece_min_s, piece_max_s, after_min_s, before_max_s;
  std::vector<double> cap_before, shift_before,
      square_before;  // prefix sums over pieces of cap, cap s, cap s^2
  std::vector<int> enter_kink, cap_kink, piece_from, piece_to;
};

class WholeStepClass {
 public:
  // cars: the class's cars, all with the window [first_step, first_step + window).
  WholeStepClass(uint32_t cls, int first_step, int window, std::span<const ClassCar> cars);
  uint32_t cls() const { return cls_; }

  // Adds the class's power per step, spread, Jacobian (diagonal and runs, with_jacobian) and steps' distances
  // to the nearest car's change of side to out, at z; window_order is the window's steps by z, highest first.
  void add_to(const std::vector<double>& z, std::span<const int> window_order, bool with_jacobian,
              ClassScratch& scratch, PassSums& out) const;
  // G at z into kinks (its kinks, G there and at 0; window_order: the window's steps by z, highest first).
  void find_kinks(const std::vector<double>& z, std::span<const int> window_order, ClassScratch& kinks) const;
  // Writes car c's power at z (G there in kinks) into kw, its window's steps.
  void write(const ClassCar& c, const ClassScratch& kinks, const std::vector<double>& z, double* kw) const;

 private:
  // Sums over cars of cap, cap x rho and cap x rho^2: long double for the first two, which grow with the
  // class (to a million cars' kW x steps) and are differenced.
  struct Prefix {
    long double cap = 0, cap_rho = 0, cap_rho2 = 0;
    template <class Car>
    void add(const Car& c) {
      cap += c.cap_kw;
      cap_rho += static_cast<long double>(c.cap_kw) * c.rho;
      cap_rho2 += static_cast<long double>(c.cap_kw) * c.rho * c.rho;
    }
  };
  // Cars sorted by one end of their energy range (ascending rho), with the sums before each block of
  // kBlockCars (a sum before car k adds the rest of its block: the lines the search for k read already).
  struct ByRange {
    struct Car {
      double rho, cap_kw;
    };
    static constexpr size_t kBlockCars = 8;
    std::vector<Car> cars;
    std::vector<Prefix> blocks;
    std::vector<double> first_rho;  // per block: its first car's rho
    explicit ByRange(std::vector<Car> unsorted);
    Prefix before(size_t k) const;  // sums over cars [0, k)
    size_t above(double x,
                 size_t from = 0) const;  // first car with rho > x, from `from` on (rho[from - 1] <= x)
    size_t at_least(double x) const;      // first car with rho >= x
  };

  // The shift of a car bound to rho (G's inverse; the first such shift where G is flat).
  static double shift_at(double rho, const ClassScratch& sc);

  uint32_t cls_;
  int first_step_;
  long double cap_kw_ = 0;     // the class's most kW, but for its pinned cars
  long double pinned_kw_ = 0;  // its cars pinned at their cap (lo_steps = window: all they can reach)
  ByRange lo_;                 // cars that need energy (lo > 0): bound to it when G(0) < lo
  ByRange hi_;                 // cars whose ceiling a full window would pass: bound to it when G(0) > hi
};

}  // namespace voltpool::spread
