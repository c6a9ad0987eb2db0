// One pass of the spread split over a fleet: every car's power at the steps' utilisations z,
// kw(i, t) = cap(i, t) * clamp(z(t) + s, -low(i), 1) with s the car's shift (one per stretch between the
// steps where it is held at its floor or ceiling, spread_car.hpp), summed per step with the fleet's Jacobian
// in z (see spread_split.hpp). Cars of one window that only charge, over whole steps, are priced as a class
// where there are enough of them (spread_class.hpp: a pass then costs the window's kinks, not its cars; their
// powers are written car after car); the others, and every pass that polishes, car by car.
#pragma once

#include <functional>
#include <span>
#include <utility>
#include <vector>

#include "flex/spread_car.hpp"
#include "flex/spread_class.hpp"
#include "flex/spread_range_sums.hpp"
#include "flex/spread_sums.hpp"
#include "plan/problem.hpp"

namespace voltpool::spread {

// A window class priced as one from this many cars on (below it, car by car costs less than the class's
// kinks).
inline constexpr size_t kMinClassCars = 24;

class Splitter {
 public:
  // p must outlive the splitter and be a fleet spread_splittable accepts (with `discharge`, one
  // spread_discharge_splittable accepts: its cars that may discharge do, else every car only charges). Window
  // classes with at least min_class_cars whole-step cars that only charge price them as one.
  Splitter(const PlanningProblem& p, bool discharge, size_t min_class_cars = kMinClassCars);

  const std::vector<size_t>& offset() const { return offset_; }  // plan layout: car i's steps from offset[i]
  double cap_kw(size_t i, int k) const { return v_.charge_max_kw[i] * v_.fraction(i, k); }
  std::vector<double> most_kw() const;                 // per step: the most the cars present can draw
  std::vector<double> most_discharge_kw() const;       // per step: the most they can deliver in the split
  size_t loose_cars() const { return loose_.size(); }  // cars priced one by one (the rest as classes)

  // Every car's power at utilisations z, summed (with the Jacobian if asked); one call at a time. With kw
  // (plan layout) the powers are also written, car by car. With `polish`, each car then moves by its own
  // Jacobian times polish on the steps where it is free (its energy kept where it is bound): the fleet moves
  // by the fleet's Jacobian times polish, as Newton's linear model says, without crossing into other cars'
  // kinks.
  PassSums pass(const std::vector<double>& z, bool with_jacobian, std::span<double> kw = {},
                const std::vector<double>* polish = nullptr) const;

 private:
  void parallel(const std::function<void(unsigned)>& work) const;  // work(w) for each worker w
  // Each class's window's steps by z, highest first, laid out in the order of classes_ (the cars priced one
  // by one need none).
  struct WindowOrder {
    std::vector<int> all;  // every step by z, highest first
    std::vector<int> steps;
    std::vector<size_t> start;
    std::span<const int> of(size_t k) const {  // classes_[k]'s
      return {steps.data() + start[k], start[k + 1] - start[k]};
    }
  };
  WindowOrder order_windows(const std::vector<double>& z) const;
  // One car's pricing scratch: its stretches, and those with free steps walked (not summed per range).
  struct CarWork {
    // A stretch with free steps: car.stretches[stretch], its free steps free[free_from, free_to) and their
    // kW, and its steps with z + s >= 1 and > -low.
    struct Moving {
      uint32_t stretch, free_from, free_to, at_cap, above_low;
      double free_cap;
    };
    CarScratch car;
    std::vector<int> free;
    std::vector<Moving> moving;
    std::vector<double> move;  // a polish's move per window step
  };
  // Car i priced at z into out (x: its powers, plan layout or scratch; its power per step added into
  // fleet_kw); with polish moved as pass() says. With range_sums, its stretches over whole steps that no
  // clipping touches are summed there instead (their powers not written: x is scratch).
  void price_car(size_t i, const StepRanges& z, bool with_jacobian, const std::vector<double>* polish,
                 double* x, double* fleet_kw, double& spread, CarWork& work, PassSums& out,
                 RangeSums* range_sums) const;
  void add_stretch_jacobian(const CarRange& car, const Stretch& stretch, std::span<const int> free,
                            const CarWork::Moving& moving, PassSums& out) const;
  CarRange car_range(size_t i) const;
  ClassCar class_car(size_t i) const;  // a whole-step car's range in steps at its full power
  // The classes' cars' powers at z into kw, car after car (the loose cars write theirs as they are priced).
  void write_classes(const std::vector<double>& z, const WindowOrder& order, std::span<double> kw) const;
  // The runs' share of the Jacobian (steps: all steps by z, highest first).
  void take_runs(const std::vector<PassSums>& sums, const std::vector<int>& steps,
                 std::vector<double>& jacobian) const;
  void polish_car(const CarRange& car, CarWork& work, const std::vector<double>& polish, double* x) const;

  const PlanningProblem& p_;
  const PlanVehicles& v_;
  size_t steps_;
  std::vector<size_t> offset_;
  std::vector<double> lo_kwh_, hi_kwh_;  // per car: battery kWh to take in by departure, at least and at most
  std::vector<double> low_;              // per car: discharge kW per charge kW in the split (0: only charges)
  // Per car that may discharge: where its energy was held at a bound when last priced, a hint for its next
  // pricing that changes its cost, never its result (each car is priced by one worker in a pass; so pass() is
  // not to be called from two threads at once).
  mutable std::vector<BoundSteps> hints_;
  std::vector<char> pinned_;  // per car: its floor is all it can reach (every step at its cap)
  std::vector<std::pair<int, int>> class_window_;  // per window class: first step, end step
  std::vector<int> group_of_;                      // per car: its class in classes_, or -1 (loose)
  std::vector<WholeStepClass> classes_;            // window classes' whole-step cars priced as one
  std::vector<size_t> loose_;                      // the cars priced one by one, ascending
  unsigned workers_ = 1;
};

}  // namespace voltpool::spread
