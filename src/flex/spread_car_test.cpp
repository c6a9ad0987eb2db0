// A car's stretches are its own optimum: for random cars and utilisations, the powers they give keep the car
// within its box, window and departure range, and meet the optimality conditions (a shift falls only where
// the energy sits at the floor, rises only where it sits at the ceiling, and the last one is positive only at
// the departure range's lower end, negative only at its upper end).
#include "flex/spread_car.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace voltpool::spread {
namespace {

struct Priced {
  std::vector<double> kwh;  // energy at each window step's end
  std::vector<Stretch> stretches;
};

Priced price(const CarRange& car, const std::vector<double>& z, BoundSteps* hint = nullptr) {
  CarScratch scratch;
  price_stretches(car, StepRanges(z), scratch, hint);
  Priced out;
  out.stretches = scratch.stretches;
  std::sort(out.stretches.begin(), out.stretches.end(),
            [](const Stretch& a, const Stretch& b) { return a.from < b.from; });
  double energy = 0;
  for (const Stretch& s : out.stretches) {
    for (int k = s.from; k < s.end; ++k) {
      energy += car.step_cap_kw(k) * car.kwh_per_kw_step *
                std::clamp(z[car.first_step + k] + s.shift, -car.low, 1.0);
      out.kwh.push_back(energy);
    }
  }
  return out;
}

CarRange random_car(std::mt19937_64& rng, int steps) {
  std::uniform_real_distribution<double> u(0, 1);
  CarRange car;
  car.first_step = static_cast<int>(u(rng) * steps * 0.5);
  car.window = 1 + static_cast<int>(u(rng) * (steps - car.first_step - 1));
  car.cap_kw = 3 + 8 * u(rng);
  car.first_fraction = u(rng) < 0.5 ? 1 : 0.1 + 0.9 * u(rng);
  car.last_fraction = u(rng) < 0.5 ? 1 : 0.1 + 0.9 * u(rng);
  car.low = u(rng) < 0.2 ? 0 : 0.3 + u(rng);
  car.kwh_per_kw_step = car.low > 0 ? 0.25 : 0.25 * (0.85 + 0.15 * u(rng));
  car.floor_kwh = -20 * u(rng) * u(rng);  // often close to the arrival energy
  car.ceiling_kwh = 30 * u(rng) * u(rng);
  double reach = 0;
  for (int k = 0; k < car.window; ++k) reach += car.step_cap_kw(k) * car.kwh_per_kw_step;
  const double lo = car.low > 0 ? car.floor_kwh : 0;
  car.end_lo_kwh = std::min(std::min(reach, car.ceiling_kwh), lo + (car.ceiling_kwh - lo) * u(rng));
  const double above = std::max(car.end_lo_kwh, 0.0);  // the range holds what the car can reach from arrival
  car.end_hi_kwh = u(rng) < 0.5 ? car.ceiling_kwh : above + (car.ceiling_kwh - above) * u(rng);
  return car;
}

// Utilisations for a day: a wave of random period and level, with noise (below -1, inside, above 1).
std::vector<double> random_utilisations(std::mt19937_64& rng, int steps) {
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<double> z(static_cast<size_t>(steps));
  const double wave = u(rng) * 6, level = u(rng) - 0.5;
  for (int t = 0; t < steps; ++t)
    z[t] = level + 1.5 * std::sin(wave * t / steps * 6.28) + 0.5 * (u(rng) - 0.5);
  return z;
}

// A range's sum, highest, lowest, mean and squared deviations from its mean, from the tables, are the ones a
// loop over its steps gives (every range of every length from 1 to 70 steps); an empty range has nothing to
// clip.
TEST(StepRanges, EveryRangeIsTheLoopsOne) {
  std::mt19937_64 rng(3);
  for (int steps = 1; steps <= 70; ++steps) {
    const std::vector<double> z = random_utilisations(rng, steps);
    const StepRanges ranges(z);
    for (int from = 0; from < steps; ++from) {
      double sum = 0, highest = z[from], lowest = z[from];
      for (int end = from + 1; end <= steps; ++end) {
        sum += z[end - 1];
        highest = std::max(highest, z[end - 1]);
        lowest = std::min(lowest, z[end - 1]);
        const double mean = sum / (end - from);
        double deviations = 0;
        for (int t = from; t < end; ++t) deviations += (z[t] - mean) * (z[t] - mean);
        ASSERT_NEAR(ranges.sum(from, end), sum, 1e-12) << steps << " " << from << " " << end;
        ASSERT_EQ(ranges.highest(from, end), highest) << steps << " " << from << " " << end;
        ASSERT_EQ(ranges.lowest(from, end), lowest) << steps << " " << from << " " << end;
        ASSERT_NEAR(ranges.mean(from, end), mean, 1e-13) << steps << " " << from << " " << end;
        ASSERT_NEAR(ranges.squared_deviations(from, end), deviations, 1e-11)
            << steps << " " << from << " " << end;
      }
      EXPECT_EQ(ranges.sum(from, from), 0);
      EXPECT_LT(ranges.highest(from, from), -1e300);
      EXPECT_GT(ranges.lowest(from, from), 1e300);
    }
  }
}

// Newton's shift and the ordered one meet the same goal, to the slack a stretch's end is checked to; they are
// the same shift (flat at the goal too). Newton settles almost always (goals beyond either end and one-step
// stretches included).
TEST(SpreadCar, NewtonsShiftIsTheOrderedOne) {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> u(0, 1);
  const int steps = 40;
  int settled = 0, trials = 0;
  std::vector<int> order;
  for (int trial = 0; trial < 20000; ++trial) {
    const CarRange car = random_car(rng, steps);
    std::vector<double> z = random_utilisations(rng, steps);
    if (trial % 3 == 1) {  // mild utilisations: long stretches with no step clipped
      for (double& x : z) x *= 0.2;
    }
    const StepRanges ranges(z);
    const int from = static_cast<int>(u(rng) * car.window);
    const int end = trial % 4 == 0 ? from + 1 : from + 1 + static_cast<int>(u(rng) * (car.window - from));
    double full_kwh = 0;
    for (int k = from; k < end; ++k) full_kwh += car.step_cap_kw(k) * car.kwh_per_kw_step;
    const double goal = trial % 50 == 0   ? full_kwh
                        : trial % 50 == 1 ? -car.low * full_kwh
                                          : (-car.low - 0.1 + (1.2 + car.low) * u(rng)) * full_kwh;
    auto energy = [&](double s) {
      double e = 0;
      for (int k = from; k < end; ++k)
        e += car.step_cap_kw(k) * car.kwh_per_kw_step * std::clamp(z[car.first_step + k] + s, -car.low, 1.0);
      return e;
    };
    auto free_at = [&](double s) {
      int n = 0;
      for (int k = from; k < end; ++k) {
        const double x = z[car.first_step + k] + s;
        n += x > -car.low + 1e-9 && x < 1 - 1e-9;
      }
      return n;
    };
    ++trials;
    const double ordered = ordered_shift(car, ranges, from, end, goal, order);
    const std::optional<double> newton = newton_shift(car, ranges, from, end, goal);
    const double reached = std::clamp(goal, -car.low * full_kwh, full_kwh);
    EXPECT_NEAR(energy(ordered), reached, kBoundSlackKwh) << trial;
    if (!newton) continue;
    ++settled;
    EXPECT_NEAR(energy(*newton), reached, kBoundSlackKwh) << trial;
    if (free_at(ordered) > 0) {
      EXPECT_NEAR(*newton, ordered, 1e-9) << trial;
    }
  }
  EXPECT_GT(settled, trials * 99 / 100);
  // Flat at the goal: one step at its cap, one at -low, whatever the shift in [-2, 2]; the least is -2.
  CarRange car;
  car.window = 2;
  car.cap_kw = 11;
  car.low = 1;
  car.kwh_per_kw_step = 0.25;
  const std::vector<double> z = {3, -3};
  EXPECT_DOUBLE_EQ(ordered_shift(car, StepRanges(z), 0, 2, 0.0, order), -2);
  const std::optional<double> newton = newton_shift(car, StepRanges(z), 0, 2, 0.0);
  ASSERT_TRUE(newton.has_value());
  EXPECT_DOUBLE_EQ(*newton, -2);
}

TEST(SpreadCar, StretchesMeetTheCarsOptimalityConditions) {
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> u(0, 1);
  const int steps = 40;
  int with_bounds = 0;
  for (int trial = 0; trial < 20000; ++trial) {
    const CarRange car = random_car(rng, steps);
    std::vector<double> z = random_utilisations(rng, steps);
    const Priced p = price(car, z);
    ASSERT_EQ(p.kwh.size(), static_cast<size_t>(car.window)) << trial;
    const double tol = 1e-9;
    // Within the box (by construction) and the window at every step's end, the departure range at the last.
    for (int k = 0; k + 1 < car.window; ++k) {
      ASSERT_GE(p.kwh[k], car.floor_kwh - tol) << trial << " step " << k;
      ASSERT_LE(p.kwh[k], car.ceiling_kwh + tol) << trial << " step " << k;
    }
    ASSERT_GE(p.kwh.back(), car.end_lo_kwh - tol) << trial;
    ASSERT_LE(p.kwh.back(), car.end_hi_kwh + tol) << trial;
    // The stretches cover the window; between two, the shift's jump says which bound holds the energy there.
    ASSERT_EQ(p.stretches.front().from, 0);
    ASSERT_EQ(p.stretches.back().end, car.window);
    with_bounds += p.stretches.size() > 1;
    // The shifts that give each stretch the same powers: one where a step is free, else every shift that
    // keeps its steps where they are clipped.
    auto shifts = [&](const Stretch& s) {
      double lo = -1e300, hi = 1e300;
      for (int k = s.from; k < s.end; ++k) {
        const double zt = z[car.first_step + k], v = zt + s.shift;
        if (v >= 1) {
          lo = std::max(lo, 1 - zt);
        } else if (v <= -car.low) {
          hi = std::min(hi, -car.low - zt);
        } else {
          lo = std::max(lo, s.shift), hi = std::min(hi, s.shift);
        }
      }
      return std::pair{lo - tol, hi + tol};
    };
    for (size_t j = 1; j < p.stretches.size(); ++j) {
      const Stretch &before = p.stretches[j - 1], &after = p.stretches[j];
      ASSERT_EQ(before.end, after.from) << trial;
      const double at = p.kwh[static_cast<size_t>(before.end - 1)];
      const auto [before_lo, before_hi] = shifts(before);
      const auto [after_lo, after_hi] = shifts(after);
      if (before_lo > after_hi) {
        EXPECT_NEAR(at, car.floor_kwh, 1e-9) << trial << " at " << before.end;
      }
      if (before_hi < after_lo) {
        EXPECT_NEAR(at, car.ceiling_kwh, 1e-9) << trial << " at " << before.end;
      }
    }
    const auto [last_lo, last_hi] = shifts(p.stretches.back());
    if (last_lo > 0) {
      EXPECT_NEAR(p.kwh.back(), car.end_lo_kwh, 1e-9) << trial;
    }
    if (last_hi < 0) {
      EXPECT_NEAR(p.kwh.back(), car.end_hi_kwh, 1e-9) << trial;
    }
  }
  EXPECT_GT(with_bounds, 5000);  // most cars here pass a bound on the way
}

// A car priced from the hint its last pricing left (at utilisations a little off, as from one Newton pass to
// the next) gets what it gets priced afresh; the hint is kept in most cases.
TEST(SpreadCar, PricingFromAHintGivesThePricingAfresh) {
  std::mt19937_64 rng(9);
  std::uniform_real_distribution<double> u(0, 1);
  const int steps = 40;
  int kept = 0, hinted = 0;
  for (int trial = 0; trial < 20000; ++trial) {
    const CarRange car = random_car(rng, steps);
    std::vector<double> z = random_utilisations(rng, steps);
    BoundSteps hint;
    price(car, z, &hint);
    const BoundSteps before = hint;
    const double by = trial % 2 == 0 ? 1e-3 : 0.05;
    for (double& x : z) x += by * (u(rng) - 0.5);
    const Priced fresh = price(car, z), from_hint = price(car, z, &hint);
    ASSERT_EQ(fresh.kwh.size(), from_hint.kwh.size());
    for (size_t k = 0; k < fresh.kwh.size(); ++k)
      ASSERT_NEAR(fresh.kwh[k], from_hint.kwh[k], 1e-9) << trial << " step " << k;
    if (before.count > 0) {
      ++hinted;
      kept += hint.count == before.count && std::equal(hint.step, hint.step + hint.count, before.step);
    }
  }
  EXPECT_GT(hinted, 5000);
  EXPECT_GT(kept, hinted / 2);
}

}  // namespace
}  // namespace voltpool::spread
