// Cars of one window that charge over whole steps, priced together by the spread split. At utilisations z each
// takes cap * clamp(z(t) + s, 0, 1); its shift s follows from its energy range counted in full-power steps
// (rho = kWh / (cap * eta * dt)) through one function of the window, G(s) = sum over its steps of
// clamp(z(t) + s, 0, 1): s = 0 while G(0) lies in its range, else G's inverse at the range's nearer end.
// G is piecewise linear, with kinks where a step leaves 0 (s = -z) and reaches its cap (s = 1 - z), and on each
// piece a car's power is linear in rho. So, with the cars sorted by rho once and prefix sums of cap and cap x
// rho, a pass prices the class in O(window x log cars) instead of O(window x cars).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "flex/spread_sums.hpp"

namespace voltpool::spread {

struct ClassCar {
  uint32_t car;     // its index in the fleet
  double cap_kw;    // its most kW (> 0), every step of the window
  double lo_steps;  // energy to take in at least and at most, in steps at cap_kw (battery side)
  double hi_steps;
};

// Per-pass working memory of WholeStepClass::add_to (one per worker, reused across classes).
struct ClassScratch {
  std::vector<double> kink_s, g, piece_min_s, piece_max_s, after_min_s, before_max_s;
  std::vector<double> cap_before, shift_before, square_before;  // prefix sums over pieces of cap, cap s, cap s^2
  std::vector<int> enter_kink, cap_kink, piece_from, piece_to;
};

class WholeStepClass {
 public:
  // cars: the class's cars, all with the window [first_step, first_step + window).
  WholeStepClass(uint32_t cls, int first_step, int window, std::vector<ClassCar> cars);
  uint32_t cls() const { return cls_; }
  double cap_kw() const { return static_cast<double>(cap_kw_); }

  // Adds the class's power per step, spread, Jacobian (diagonal and runs, with_jacobian) and steps' distances to
  // the nearest car's change of side to out, at z; window_order is the window's steps by z, highest first.
  void add_to(const std::vector<double>& z, std::span<const int> window_order, bool with_jacobian,
              ClassScratch& scratch, PassSums& out) const;
  // Writes every car's power at z into kw (plan layout: car i's steps from offset[i]).
  void write(const std::vector<double>& z, std::span<const int> window_order, ClassScratch& scratch,
             std::span<const size_t> offset, std::span<double> kw) const;

 private:
  // Cars sorted by one end of their energy range (ascending rho), with prefix sums (entry k: the first k cars;
  // one cache line per boundary a pass looks up).
  struct Prefix {
    long double cap = 0, cap_rho = 0;
    double cap_rho2 = 0;
  };
  struct ByRange {
    std::vector<double> rho;
    std::vector<Prefix> before;
    explicit ByRange(std::vector<std::pair<double, double>> rho_cap);
    size_t above(double x, size_t from = 0) const;  // first car with rho > x, from `from` on (rho[from - 1] <= x)
    size_t at_least(double x) const; // first car with rho >= x
  };

  // G at z: its kinks (kink_s), G there (g), each step's two kinks and each piece's free steps; returns G(0).
  double find_kinks(const std::vector<double>& z, std::span<const int> order, ClassScratch& sc) const;
  // The shift of a car bound to rho (G's inverse; the first such shift where G is flat).
  static double shift_at(double rho, const ClassScratch& sc);

  uint32_t cls_;
  int first_step_;
  std::vector<ClassCar> cars_;
  long double cap_kw_ = 0;  // the class's most kW
  ByRange lo_;              // cars that need energy (lo > 0): bound to it when G(0) < lo
  ByRange hi_;              // cars whose ceiling a full window would pass: bound to it when G(0) > hi
};

}  // namespace voltpool::spread
