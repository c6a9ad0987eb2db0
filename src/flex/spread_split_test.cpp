#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <optional>
#include <random>

#include "flex/envelope.hpp"
#include "flex/follow.hpp"
#include "flex/spread_split.hpp"
#include "flex/test_fleets.hpp"
#include "plan/exact_solver.hpp"
#include "plan/fast_solver.hpp"
#include "plan/fleet_day_problem.hpp"

namespace voltpool {
namespace {

using test::random_lossless;

// What the spread split minimises: the sum over cars and steps of kw^2 / (2 x the car's most kW then).
double spread_of(const PlanningProblem& p, const Plan& plan) {
  double sum = 0;
  for (size_t i = 0; i < p.vehicles.size(); ++i) {
    auto kw = plan.of(i);
    for (size_t k = 0; k < kw.size(); ++k) {
      const double cap = p.vehicles.charge_max_kw[i] * p.vehicles.fraction(i, static_cast<int>(k));
      if (cap > 0) sum += kw[k] * kw[k] / (2 * cap);
    }
  }
  return sum;
}

// A profile the cars really follow, and other splits of it: the profile of a plan at random prices (on the edge
// of what the fleet can do) or, mixed, of the mix of two (inside it); the splits are that plan (or mix) and the
// exact LP's. nullopt if a planner fails.
struct Rivals {
  std::vector<double> profile;
  std::vector<Plan> splits;
};
std::optional<Rivals> profile_with_rivals(const PlanningProblem& p, bool mixed, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(0, 1);
  auto plan_at_random_prices = [&] {
    PlanningProblem q = p;
    for (auto& price : q.import_price_eur_per_kwh) price = 0.3 * u(rng);
    q.export_price_eur_per_kwh = q.import_price_eur_per_kwh;
    return solve_exact(q);
  };
  auto a = plan_at_random_prices(), b = plan_at_random_prices();
  if (!a.ok() || !b.ok()) return std::nullopt;
  Rivals r;
  r.splits = {*a};
  if (mixed) {
    for (size_t x = 0; x < r.splits[0].kw.size(); ++x) r.splits[0].kw[x] = 0.5 * (a->kw[x] + b->kw[x]);
  }
  r.profile = fleet_power_kw(p, r.splits[0]);
  PlanningProblem following = p;
  following.fleet_profile_kw = r.profile;
  auto lp = solve_exact(following);
  if (!lp.ok()) return std::nullopt;
  r.splits.push_back(*lp);
  return r;
}

// Charge-only fleets (partial steps, ceilings above targets, targets out of reach, lossy chargers): profiles the
// cars really follow, from plans at random prices (on the edge of what the fleet can do) and from mixes of two
// (inside it), are met to 1e-8 kW with every car within its power box and leaving with between its target (or
// all it can reach) and its ceiling; and no other split of the same profile found here (the two plans, their
// mix, the exact LP's) spreads the power less. A profile beyond what the fleet can draw is never met.
TEST(Flex, SpreadSplitMeetsProfilesAndSpreadsThePowerMost) {
  std::mt19937_64 rng(31);
  std::uniform_real_distribution<double> u(0, 1);
  int met = 0;
  for (int trial = 0; trial < 200; ++trial) {
    auto p = random_lossless(rng, 5 + trial % 60, 8 + trial % 17, false, trial % 2 == 0);
    if (trial % 3 == 0) {
      for (size_t i = 0; i < p.vehicles.size(); ++i) p.vehicles.eta_charge[i] = 0.85 + 0.15 * u(rng);
    }
    ASSERT_TRUE(spread_splittable(p));
    auto rivals = profile_with_rivals(p, trial % 2 == 1, rng);
    ASSERT_TRUE(rivals.has_value());
    const std::vector<double>& profile = rivals->profile;
    const std::vector<Plan>& others = rivals->splits;

    auto split = spread_split(p, profile, 1e-8);
    ASSERT_TRUE(split.has_value());
    const auto fleet = fleet_power_kw(p, split->plan);
    double worst = 0;
    for (int t = 0; t < p.steps; ++t) worst = std::max(worst, std::abs(fleet[t] - profile[t]));
    EXPECT_NEAR(worst, split->worst_kw, 1e-9) << trial;
    met += worst <= 1e-8;
    const PlanVehicles& v = p.vehicles;
    for (size_t i = 0; i < v.size(); ++i) {
      auto kw = split->plan.of(i);
      double stored = 0, reach = 0;
      for (size_t k = 0; k < kw.size(); ++k) {
        const double cap = v.charge_max_kw[i] * v.fraction(i, static_cast<int>(k));
        ASSERT_GE(kw[k], 0.0) << trial;
        ASSERT_LE(kw[k], cap + 1e-12) << trial;
        stored += kw[k] * v.eta_charge[i] * p.dt_h;
        reach += cap * v.eta_charge[i] * p.dt_h;
      }
      const double ceiling = v.e_max_kwh[i] - v.e0_kwh[i];
      ASSERT_LE(stored, ceiling + 1e-9) << trial << " car " << i;
      ASSERT_GE(stored, std::min({v.target_kwh[i] - v.e0_kwh[i], reach, ceiling}) - 1e-9) << trial << " car " << i;
    }
    if (worst <= 1e-8) {
      const double mine = spread_of(p, split->plan);
      for (const Plan& other : others) EXPECT_LE(mine, spread_of(p, other) + 1e-9 * std::max(1.0, mine)) << trial;
    }
    if (trial % 10 == 0) {  // beyond the fleet's reach at one step
      auto beyond = profile;
      const size_t t = static_cast<size_t>(trial % p.steps);
      beyond[t] = fleet_envelope(p).up_kw[t] + 1;
      auto refused = spread_split(p, beyond, 1e-8);
      ASSERT_TRUE(refused.has_value());
      EXPECT_GT(refused->worst_kw, 1e-6) << trial;
    }
  }
  // Every profile here can be followed exactly; a plan's own profile is met only to the LP's rounding (its
  // vertex sums to the profile within ~1e-9 kW, and a car whose energy is fixed cannot take that back).
  EXPECT_GE(met, 190);
  // Not for horizons too long for its dense steps x steps solves; fleets that may discharge are split with every
  // car only charging (a profile asking the fleet to deliver is not met).
  EXPECT_FALSE(spread_splittable(random_lossless(rng, 10, kMaxSpreadSteps + 1, false)));
  EXPECT_FALSE(spread_split(random_lossless(rng, 10, kMaxSpreadSteps + 1, false),
                            std::vector<double>(kMaxSpreadSteps + 1, 0.0), 1e-8).has_value());
  auto v2g = random_lossless(rng, 10, 12, true);
  auto delivering = spread_split(v2g, std::vector<double>(12, -1.0), 1e-8);
  ASSERT_TRUE(delivering.has_value());
  EXPECT_GT(delivering->worst_kw, 0.5);
  for (double kw : delivering->plan.kw) EXPECT_GE(kw, 0.0);
}

// Fleets that may discharge (lossless; partial steps, floors, ceilings above targets, discharge below charge
// power in the varied ones): profiles of plans at random prices (cars discharging at the dear steps, some
// down to their floors) and mixes of two are met to 1e-8 kW with the cars discharging, every car within its
// power box and its energy window at every step, leaving with at least its target (or all it can reach); and
// no other split found here (the plans, their mix, the exact LP's) spreads the power less.
TEST(Flex, SpreadSplitWithDischargeKeepsEveryCarInItsWindow) {
  std::mt19937_64 rng(47);
  int met = 0, discharged = 0;
  for (int trial = 0; trial < 150; ++trial) {
    auto p = random_lossless(rng, 5 + trial % 50, 8 + trial % 17, true, trial % 2 == 0);
    ASSERT_TRUE(spread_discharge_splittable(p));
    auto rivals = profile_with_rivals(p, trial % 2 == 1, rng);
    ASSERT_TRUE(rivals.has_value());
    const std::vector<double>& profile = rivals->profile;
    const std::vector<Plan>& others = rivals->splits;

    auto split = spread_split(p, profile, 1e-8, SpreadDischarge::kWhereAllowed);
    ASSERT_TRUE(split.has_value());
    const auto fleet = fleet_power_kw(p, split->plan);
    double worst = 0;
    for (int t = 0; t < p.steps; ++t) worst = std::max(worst, std::abs(fleet[t] - profile[t]));
    met += worst <= 1e-8;
    const PlanVehicles& v = p.vehicles;
    for (size_t i = 0; i < v.size(); ++i) {
      auto kw = split->plan.of(i);
      double energy = v.e0_kwh[i];
      for (size_t k = 0; k < kw.size(); ++k) {
        const double share = v.fraction(i, static_cast<int>(k));
        ASSERT_GE(kw[k], -v.discharge_max_kw[i] * share - 1e-12) << trial;
        ASSERT_LE(kw[k], v.charge_max_kw[i] * share + 1e-12) << trial;
        discharged += kw[k] < -1e-9;
        energy += kw[k] * p.dt_h;
        ASSERT_GE(energy, v.e_min_kwh[i] - 1e-9) << trial << " car " << i << " step " << k;
        ASSERT_LE(energy, v.e_max_kwh[i] + 1e-9) << trial << " car " << i << " step " << k;
      }
      ASSERT_GE(energy - v.e0_kwh[i], departure_floor_kwh(p, i) - 1e-9) << trial << " car " << i;
    }
    if (worst <= 1e-8) {
      const double mine = spread_of(p, split->plan);
      for (const Plan& other : others) EXPECT_LE(mine, spread_of(p, other) + 1e-9 * std::max(1.0, mine)) << trial;
    }
  }
  EXPECT_GE(met, 140);
  EXPECT_GT(discharged, 1000);
}

// A fleet too large for the LP follows its fast plan's profile through the spread split: accepted, every car
// whole; a profile with a value that is not a number is refused, naming the step.
TEST(Flex, LargeChargeOnlyFleetsFollowTheirPlansThroughTheSpreadSplit) {
  const size_t n = 60000;
  PlanningProblem p = fleet_day_problem(generate_fleet_day(n, 11), fleet_day_prices_eur_per_kwh(),
                                        kFleetDaySiteKwPerEv * static_cast<double>(n), false, 0);
  size_t vehicle_steps = 0;
  for (size_t i = 0; i < n; ++i) vehicle_steps += static_cast<size_t>(p.vehicles.window(i));
  ASSERT_GT(vehicle_steps, kExactFollowMaxVehicleSteps);
  auto plan = solve_fast(p);
  ASSERT_TRUE(plan.ok());
  const auto profile = fleet_power_kw(p, *plan);
  // The spread split itself (two workers), not the decomposition behind it in follow_profile.
  auto direct = spread_split(p, profile, 0.5e-6);
  ASSERT_TRUE(direct.has_value());
  EXPECT_LE(direct->worst_kw, 0.5e-6);
  EXPECT_LE(direct->passes, 30);  // 20 measured; a wrong Jacobian takes more or never gets there
  auto r = follow_profile(p, profile);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->accepted);
  EXPECT_EQ(r->plan.kw, direct->plan.kw);  // follow_profile took the spread split's
  const auto fleet = fleet_power_kw(p, r->plan);
  for (int t = 0; t < p.steps; ++t) EXPECT_NEAR(fleet[t], profile[t], 1e-6) << t;
  const auto check = check_plan(p, r->plan);
  EXPECT_LE(check.max_power_violation_kw, 1e-9);
  EXPECT_LE(check.max_energy_violation_kwh, 1e-9);
  EXPECT_NEAR(check.shortfall_kwh, std::accumulate(plan->shortfall_kwh.begin(), plan->shortfall_kwh.end(), 0.0), 1e-3);
  auto not_a_number = profile;
  not_a_number[40] = std::nan("");
  auto refused = follow_profile(p, not_a_number);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("step 40"), std::string::npos);
}

// Fleets that may discharge follow their own fast V2G plans rounded to 9 significant digits a car and step
// (coarser than `voltpool schedule` writes them; the site limit binding for hours at the profile): 300 cars through the LP, which
// leaves about 1e-5 kW off where the limit binds (closed car by car; such profiles were refused before), and
// 2,000 through the spread split with discharge; every car within its box and window.
TEST(Flex, V2gFleetsFollowTheirOwnPlansBothWays) {
  for (size_t n : {300, 2000}) {
    PlanningProblem p = fleet_day_problem(generate_fleet_day(n, 7), fleet_day_prices_eur_per_kwh(),
                                          kFleetDaySiteKwPerEv * static_cast<double>(n), true, kFleetDayWearEurPerKwh);
    size_t vehicle_steps = 0;
    for (size_t i = 0; i < n; ++i) vehicle_steps += static_cast<size_t>(p.vehicles.window(i));
    EXPECT_EQ(vehicle_steps <= kExactFollowMaxVehicleSteps, n == 300);
    auto plan = solve_fast(p);
    ASSERT_TRUE(plan.ok());
    // Rounded as a file of 9 significant digits a car and step would round it, then summed.
    for (double& kw : plan->kw) {
      char text[32];
      std::snprintf(text, sizeof text, "%.9g", kw);
      kw = std::strtod(text, nullptr);
    }
    std::vector<double> profile = fleet_power_kw(p, *plan);
    for (size_t t = 0; t < profile.size(); ++t) profile[t] = std::min(profile[t], p.import_limit_kw[t]);
    auto r = follow_profile(p, profile);
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->accepted) << n << " cars, first missed at step " << r->first_infeasible_step.value_or(-1);
    const auto fleet = fleet_power_kw(p, r->plan);
    for (int t = 0; t < p.steps; ++t) EXPECT_NEAR(fleet[t], profile[t], 1e-6) << n << " cars, step " << t;
    const auto check = check_plan(p, r->plan);
    EXPECT_LE(check.max_power_violation_kw, 1e-9);
    EXPECT_LE(check.max_energy_violation_kwh, 1e-6);
    if (n == 2000) {  // the spread split's, with discharge, not the decomposition's
      auto direct = spread_split(p, profile, 0.5e-6, SpreadDischarge::kWhereAllowed);
      ASSERT_TRUE(direct.has_value());
      EXPECT_LE(direct->worst_kw, 0.5e-6);
      EXPECT_EQ(r->plan.kw, direct->plan.kw);
    }
  }
}

// A fleet that may discharge, too large for the LP, asked only to absorb (the profile of its plan without
// discharging): split by the spread split with no car discharging (no cycling), not by the decomposition.
TEST(Flex, FleetsThatMayDischargeAbsorbWithoutDischarging) {
  const size_t n = 2000;
  const auto evs = generate_fleet_day(n, 3);
  const double site_kw = kFleetDaySiteKwPerEv * static_cast<double>(n);
  const PlanningProblem g2v = fleet_day_problem(evs, fleet_day_prices_eur_per_kwh(), site_kw, false, 0);
  const PlanningProblem v2g =
      fleet_day_problem(evs, fleet_day_prices_eur_per_kwh(), site_kw, true, kFleetDayWearEurPerKwh);
  auto plan = solve_fast(g2v);
  ASSERT_TRUE(plan.ok());
  const auto profile = fleet_power_kw(g2v, *plan);
  auto r = follow_profile(v2g, profile);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->accepted);
  for (double kw : r->plan.kw) ASSERT_GE(kw, 0.0);
  auto direct = spread_split(v2g, profile, 0.5e-6);
  ASSERT_TRUE(direct.has_value());
  EXPECT_EQ(r->plan.kw, direct->plan.kw);
  const auto check = check_plan(v2g, r->plan);
  EXPECT_LE(check.max_power_violation_kw, 1e-9);
  EXPECT_LE(check.max_energy_violation_kwh, 1e-9);
}

// Large fleets of the varied kind (partial first and last steps, ceilings above targets, targets out of reach,
// lossy chargers: most cars take the Jacobian's direct path, not the runs) following their fast plans at random
// prices: the split meets the profile, every car within its box and window, owners short only as in the plan.
TEST(Flex, SpreadSplitMeetsLargeVariedFleetsPlans) {
  std::mt19937_64 rng(12);
  std::uniform_real_distribution<double> u(0, 1);
  for (int trial = 0; trial < 2; ++trial) {
    auto p = random_lossless(rng, 50000, 96, false, true);
    for (size_t i = 0; i < p.vehicles.size(); ++i) p.vehicles.eta_charge[i] = 0.9 + 0.1 * u(rng);
    for (auto& price : p.import_price_eur_per_kwh) price = 0.1 + 0.2 * u(rng);
    p.export_price_eur_per_kwh = p.import_price_eur_per_kwh;
    auto plan = solve_fast(p);
    ASSERT_TRUE(plan.ok());
    const auto profile = fleet_power_kw(p, *plan);
    auto split = spread_split(p, profile, 0.5e-6);
    ASSERT_TRUE(split.has_value());
    EXPECT_LE(split->worst_kw, 0.5e-6) << trial << " after " << split->passes << " passes";
    const auto fleet = fleet_power_kw(p, split->plan);
    for (int t = 0; t < p.steps; ++t) EXPECT_NEAR(fleet[t], profile[t], 0.5e-6) << trial << " step " << t;
    const auto check = check_plan(p, split->plan);
    EXPECT_LE(check.max_power_violation_kw, 1e-9);
    EXPECT_LE(check.max_energy_violation_kwh, 1e-9);
    PlanningProblem accounted = p;
    Plan mine = split->plan;
    account_plan(accounted, mine);
    EXPECT_NEAR(std::accumulate(mine.shortfall_kwh.begin(), mine.shortfall_kwh.end(), 0.0),
                std::accumulate(plan->shortfall_kwh.begin(), plan->shortfall_kwh.end(), 0.0), 1e-3);
  }
}

}  // namespace
}  // namespace voltpool
