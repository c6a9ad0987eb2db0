#include "flex/spread_pass.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "flex/test_fleets.hpp"

namespace voltpool::spread {
namespace {

// A charge-only fleet of a few windows with many cars each, most over whole steps (priced as a class), some
// with partial first and last steps (always car by car): needs below, at and beyond what a window can take
// (the floor then all it can reach), ceilings below a full window and at the arrival energy, lossy chargers;
// with at_the_top, also floors and ceilings of exactly all a window can take.
PlanningProblem crowded_windows(std::mt19937_64& rng, int steps, bool lossy, bool at_the_top) {
  std::uniform_real_distribution<double> u(0, 1);
  PlanningProblem p = test::hourly(steps);
  p.dt_h = 0.25;
  const double caps_kw[] = {3.7, 7.4, 11, 22};
  for (int window = 0; window < 4; ++window) {
    const int first = static_cast<int>(u(rng) * steps * 0.5);
    const int end = first + 1 + static_cast<int>(u(rng) * (steps - first - 1));
    const int w = end - first;
    for (int c = 0; c < 30 + static_cast<int>(u(rng) * 50); ++c) {
      const double pmax = caps_kw[c % 4] * (c % 7 == 0 ? 0.5 + u(rng) : 1.0);
      const double reach_kwh = pmax * p.dt_h * w;
      const double e0 = 10 + 30 * u(rng);
      double need = reach_kwh * (c % 5 == 0 ? 1.2 : c % 5 == 1 ? 0 : u(rng));
      double ceiling = e0 + need + reach_kwh * u(rng);
      if (at_the_top && c % 13 == 2) need = reach_kwh, ceiling = e0 + reach_kwh;  // floor = ceiling = reach
      if (at_the_top && c % 13 == 3)
        need = 0.5 * reach_kwh, ceiling = e0 + reach_kwh;  // a ceiling at G's top
      if (c % 6 == 0) ceiling = e0 + reach_kwh * u(rng);   // may stop below its target: bound to its ceiling
      if (c % 11 == 0) ceiling = e0;                       // full already
      const bool partial = c % 9 == 0;
      p.vehicles.add(first, end, partial ? 0.2 + 0.8 * u(rng) : 1, partial ? 0.2 + 0.8 * u(rng) : 1, pmax, 0,
                     e0, 0.1 * e0, ceiling, e0 + need, lossy ? 0.85 + 0.15 * u(rng) : 1, 1);
    }
  }
  return p;
}

// Whole-step cars priced as one class (spread_class) against the same cars priced one by one, at random
// utilisations (below 0, inside, above 1, all above 1, some steps tied): the fleet's power per step, the
// spread, the Jacobian, each step's distances to the nearest car changing side, and every car's written power
// agree.
TEST(SpreadPass, ClassesPriceTheirCarsAsTheCarsDoOneByOne) {
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> u(0, 1);
  int grouped_cars = 0;
  for (int trial = 0; trial < 60; ++trial) {
    const int steps = 3 + trial % 20;
    // Cars whose bound is all the window can take, however it rounds: either side of their kink is right for
    // the steps' distances to the next change of side, so those are compared only without them.
    const bool at_the_top = trial % 3 == 2;
    const PlanningProblem p = crowded_windows(rng, steps, trial % 2 == 1, at_the_top);
    const Splitter by_car(p, false, std::numeric_limits<size_t>::max()), by_class(p, false, 1);
    double scale_kw = 0;
    for (double kw : by_car.most_kw()) scale_kw = std::max(scale_kw, kw);
    const double tolerance_kw = 1e-9 * scale_kw;
    for (int at = 0; at < 8; ++at) {
      std::vector<double> z(static_cast<size_t>(steps));
      for (double& x : z) x = at % 2 ? -0.5 + 2 * u(rng) : at % 4 == 0 ? 12 * u(rng) - 1 : 1 + 10 * u(rng);
      if (at % 4 == 3) z[static_cast<size_t>(steps) / 2] = z[0];  // a tie in the steps' order
      std::vector<double> kw_by_car(by_car.offset().back()), kw_by_class(kw_by_car.size());
      const PassSums a = by_car.pass(z, true, kw_by_car), b = by_class.pass(z, true, kw_by_class);
      for (size_t t = 0; t < z.size(); ++t) {
        EXPECT_NEAR(a.fleet[t].value(), b.fleet[t].value(), tolerance_kw)
            << "trial " << trial << " step " << t;
        for (auto side : {&PassSums::to_leave_cap, &PassSums::to_leave_low}) {
          if (at_the_top) break;
          const double x = (a.*side)[t], y = (b.*side)[t];
          if (std::isinf(x) || std::isinf(y)) {
            EXPECT_EQ(x, y) << "trial " << trial << " step " << t;
          } else {
            EXPECT_NEAR(x, y, 1e-9) << "trial " << trial << " step " << t;
          }
        }
      }
      EXPECT_NEAR(a.spread, b.spread, tolerance_kw * steps) << "trial " << trial;
      for (size_t x = 0; x < a.jacobian.size(); ++x) {
        ASSERT_NEAR(a.jacobian[x], b.jacobian[x], tolerance_kw) << "trial " << trial << " entry " << x;
      }
      for (size_t x = 0; x < kw_by_car.size(); ++x) ASSERT_NEAR(kw_by_car[x], kw_by_class[x], 1e-9) << x;
    }
    ASSERT_EQ(by_car.loose_cars(), p.vehicles.size());
    grouped_cars += static_cast<int>(p.vehicles.size() - by_class.loose_cars());
  }
  EXPECT_GT(grouped_cars, 3000);
}

// Met in a million-car split: utilisations a whole apart but for the rounding, where G's top, summed piece by
// piece, rounds below G(0) = the window's 12 steps; a car whose ceiling is all it can reach (22.2 kWh at 7.4
// kW over 12 quarter hours) is bound to it a rounding below that top. It charges at its cap, priced as a
// class as one by one (it once fell between the pieces and vanished from the fleet's power).
TEST(SpreadPass, ACeilingJustBelowTheTopOfAWindowStaysAtItsCap) {
  PlanningProblem p = test::hourly(12);
  p.dt_h = 0.25;
  p.vehicles.add(0, 12, 1, 1, 7.4, 0, 25.8, 12, 48, 40, 1, 1);
  p.vehicles.add(0, 12, 1, 1, 7.4, 0, 25.8, 12, 48, 48, 1, 1);  // pinned: its target too is all it can reach
  const std::vector<double> z = {6.1026562617320588, 5.1026562617325144, 13.611744390199592,
                                 13.066291042637957, 12.102654679001734, 11.102654679001375,
                                 10.10265467900113,  9.102656261731342,  8.1026562617314415,
                                 7.1026562617317097, 4.1026562617328359, 3.1026562617329292};
  const Splitter by_car(p, false, std::numeric_limits<size_t>::max()), by_class(p, false, 1);
  const PassSums a = by_car.pass(z, true), b = by_class.pass(z, true);
  for (size_t t = 0; t < z.size(); ++t) {
    EXPECT_NEAR(a.fleet[t].value(), 14.8, 1e-9) << t;
    EXPECT_NEAR(b.fleet[t].value(), 14.8, 1e-9) << t;
  }
}

// With discharge, the Jacobian a pass sums (diagonal, the runs of whole-step stretches bound at both ends,
// the dense blocks of stretches with partial steps) is the fleet power's derivative: moving z a little along
// a random direction moves the fleet by the Jacobian times it (the fleet's power is piecewise linear in z,
// and so small a move crosses no car's kink). The cars here pass their floors and ceilings, several stretches
// each.
TEST(SpreadPass, JacobianWithDischargeIsTheFleetPowersDerivative) {
  std::mt19937_64 rng(21);
  std::uniform_real_distribution<double> u(0, 1);
  int checked = 0;
  for (int trial = 0; trial < 40; ++trial) {
    const int steps = 12 + trial % 20;
    const PlanningProblem p = test::random_lossless(rng, 60, steps, true, trial % 2 == 0);
    std::vector<double> z(static_cast<size_t>(steps)), d(z.size()), moved(z.size());
    for (int t = 0; t < steps; ++t) {
      z[t] = 0.3 * std::sin(0.7 * t + trial) + 0.4 * (u(rng) - 0.5) - 0.2 * (trial % 3);
      d[t] = u(rng) - 0.5;
    }
    const Splitter splitter(p, true, std::numeric_limits<size_t>::max());
    const PassSums at = splitter.pass(z, true);
    std::vector<double> jacobian = at.jacobian;
    const double h = 1e-7;
    for (int t = 0; t < steps; ++t) moved[t] = z[t] + h * d[t];
    // A fresh splitter for the moved point (its hints would not change the result, only the cost).
    const PassSums there = Splitter(p, true, std::numeric_limits<size_t>::max()).pass(moved, false);
    // The runs are taken into the Jacobian by pass(): symmetric, and the moved fleet agrees with it.
    for (int a = 0; a < steps; ++a) {
      double predicted = 0, scale = 0;
      for (int b = 0; b < steps; ++b) {
        EXPECT_NEAR(jacobian[a * steps + b], jacobian[b * steps + a], 1e-9) << trial;
        predicted += jacobian[a * steps + b] * d[b];
        scale = std::max(scale, std::abs(jacobian[a * steps + b]));
      }
      const double observed = (there.fleet[a].value() - at.fleet[a].value()) / h;
      EXPECT_NEAR(observed, predicted, 1e-5 * std::max(1.0, scale)) << trial << " step " << a;
      ++checked;
    }
  }
  EXPECT_GT(checked, 500);
}

// With discharge, a pass that writes no power sums the stretches that no clipping touches per range of steps
// (spread_range_sums.hpp); one that writes the powers walks every step. Both give the same fleet power,
// spread and Jacobian, on random fleets whose cars pass their floors and ceilings (several stretches each;
// partial steps, discharge below charge power and ceilings above targets in half of them), with cars that
// only charge and cars with no step in the window among them, at mild and wide utilisations; one fleet large
// enough for two workers (their sums added).
TEST(SpreadPass, StretchesSummedPerRangeAreTheWalkedOnes) {
  std::mt19937_64 rng(33);
  std::uniform_real_distribution<double> u(0, 1);
  for (int trial = 0; trial < 41; ++trial) {
    const int steps = 12 + trial % 30;
    PlanningProblem p = test::random_lossless(rng, trial == 40 ? 6000 : 80, steps, true, trial % 2 == 0);
    for (size_t i = 0; i < p.vehicles.size(); i += 7) p.vehicles.discharge_max_kw[i] = 0;  // only charges
    p.vehicles.add(steps / 2, steps / 2, 1, 1, 7.4, 7.4, 30, 10, 60, 20, 1, 1);  // no step: leaves as it came
    const double amplitude = trial % 4 < 2 ? 0.3 : 1.5;
    std::vector<double> z(static_cast<size_t>(steps));
    for (int t = 0; t < steps; ++t) z[t] = amplitude * std::sin(0.5 * t + trial) + 0.4 * (u(rng) - 0.5);
    const Splitter splitter(p, true, std::numeric_limits<size_t>::max());
    const PassSums summed = splitter.pass(z, true);
    std::vector<double> kw(splitter.offset().back());
    const PassSums walked = splitter.pass(z, true, kw);
    double scale_kw = 0;
    for (double most : splitter.most_kw()) scale_kw = std::max(scale_kw, most);
    const double tolerance_kw = 1e-10 * scale_kw;
    for (int t = 0; t < steps; ++t) {
      EXPECT_NEAR(summed.fleet[t].value(), walked.fleet[t].value(), tolerance_kw) << trial << " step " << t;
    }
    EXPECT_NEAR(summed.spread, walked.spread, tolerance_kw * steps) << trial;
    for (size_t x = 0; x < walked.jacobian.size(); ++x) {
      ASSERT_NEAR(summed.jacobian[x], walked.jacobian[x], tolerance_kw) << trial << " entry " << x;
    }
  }
}
}  // namespace
}  // namespace voltpool::spread
