#include <gtest/gtest.h>

#include <iostream>
#include <random>

#include "data/testing.hpp"
#include "plan/exact_solver.hpp"
#include "plan/fast_solver.hpp"
#include "plan/single_direction.hpp"
#include "plan/fleet_day_problem.hpp"

namespace voltpool {
namespace {

PlanningProblem one_step_site(double limit) {
  PlanningProblem p;
  p.steps = 4;
  p.dt_h = 1.0;
  p.import_price_eur_per_kwh = {0.30, 0.10, 0.20, 0.05};
  p.export_price_eur_per_kwh = p.import_price_eur_per_kwh;
  p.import_limit_kw.assign(4, limit);
  p.export_limit_kw.assign(4, kNoLimit);
  return p;
}

TEST(ExactSolver, TwoCarsShareTheCheapestStep) {
  auto p = one_step_site(10);
  p.vehicles.add(0, 4, 1, 1, 10, 0, 0, 0, 15, 15, 1, 1);  // 15 kWh
  p.vehicles.add(0, 4, 1, 1, 10, 0, 0, 0, 10, 10, 1, 1);  // 10 kWh
  auto plan = solve_exact(p);
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  // 25 kWh in steps priced 0.05, 0.10, 0.20 (10 each at most): 10*0.05 + 10*0.10 + 5*0.20
  EXPECT_NEAR(plan->energy_cost_eur, 0.5 + 1.0 + 1.0, 1e-9);
  auto c = check_plan(p, *plan);
  EXPECT_LE(c.max_site_excess_kw, 1e-7);
  EXPECT_NEAR(c.shortfall_kwh, 0, 1e-9);
}

TEST(ExactSolver, ShortfallWhenTheSiteCannotDeliver) {
  auto p = one_step_site(2);
  p.vehicles.add(0, 4, 1, 1, 10, 0, 0, 0, 20, 20, 1, 1);
  auto plan = solve_exact(p);
  ASSERT_TRUE(plan.ok());
  EXPECT_NEAR(plan->shortfall_kwh[0], 12, 1e-7);  // 4 steps * 2 kW
}

TEST(ExactSolver, EfficiencyCostsEnergy) {
  auto p = one_step_site(kNoLimit);
  p.vehicles.add(0, 4, 1, 1, 10, 0, 0, 0, 9, 9, 0.9, 0.9);  // 9 kWh stored = 10 kWh from the grid
  auto plan = solve_exact(p);
  ASSERT_TRUE(plan.ok());
  EXPECT_NEAR(plan->energy_cost_eur, 10 * 0.05, 1e-9);
}

TEST(ExactSolver, V2gArbitrageWithinTheEnergyWindow) {
  auto p = one_step_site(kNoLimit);
  p.import_price_eur_per_kwh = p.export_price_eur_per_kwh = {0.05, 0.40, 0.05, 0.40};
  // Arrives with 20 kWh, must leave with 20 kWh, may go down to 10 and up to 30, 10 kW each way.
  p.vehicles.add(0, 4, 1, 1, 10, 10, 20, 10, 30, 20, 1, 1);
  auto plan = solve_exact(p);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(std::vector<double>(plan->of(0).begin(), plan->of(0).end()), (std::vector<double>{10, -10, 10, -10}));
  EXPECT_NEAR(plan->energy_cost_eur, 2 * (0.5 - 4.0), 1e-9);
}

// Quarter-hour steps with random prices (some negative), import and export at the same price.
PlanningProblem random_prices(std::mt19937_64& rng, int steps) {
  std::uniform_real_distribution<double> u(0, 1);
  PlanningProblem p;
  p.steps = steps;
  p.dt_h = 0.25;
  for (int t = 0; t < steps; ++t) p.import_price_eur_per_kwh.push_back(-0.05 + 0.35 * u(rng));
  p.export_price_eur_per_kwh = p.import_price_eur_per_kwh;
  return p;
}

// A plan keeps every site limit, power box and energy window.
::testing::AssertionResult feasible(const PlanningProblem& p, const Plan& plan) {
  auto c = check_plan(p, plan);
  if (c.max_site_excess_kw > 1e-6) return ::testing::AssertionFailure() << "site over by " << c.max_site_excess_kw;
  if (c.max_power_violation_kw > 1e-7) return ::testing::AssertionFailure() << "power off by " << c.max_power_violation_kw;
  if (c.max_energy_violation_kwh > 1e-6) {
    return ::testing::AssertionFailure() << "energy off by " << c.max_energy_violation_kwh;
  }
  return ::testing::AssertionSuccess();
}

// Two plans' objectives agree within 1e-6 of the money at stake.
::testing::AssertionResult same_optimum(const Plan& exact, const Plan& fast) {
  double scale = std::max(1.0, std::abs(exact.energy_cost_eur + exact.wear_cost_eur));
  if (std::abs(fast.objective_eur - exact.objective_eur) <= 1e-6 * scale) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "fast " << fast.objective_eur << " vs exact " << exact.objective_eur;
}

// Both planners on p: both solve, the fast plan keeps every limit, box and window, and it reaches the LP's
// optimum. With `may_shed`, plans that charge and discharge a car in one step (at negative prices) are not
// compared; without, the LP's plan must be feasible too and the optima are always compared. `compared` says
// whether they were.
::testing::AssertionResult fast_matches_exact(const PlanningProblem& p, Plan& exact, Plan& fast, bool& compared,
                                              bool may_shed = true, const FastSolverOptions& options = {}) {
  auto e = solve_exact(p);
  if (!e.ok()) return ::testing::AssertionFailure() << "exact: " << e.error().message;
  auto f = solve_fast(p, options);
  if (!f.ok()) return ::testing::AssertionFailure() << "fast: " << f.error().message;
  exact = std::move(*e);
  fast = std::move(*f);
  if (auto ok = feasible(p, fast); !ok) return ok;
  if (!may_shed) {
    if (auto ok = feasible(p, exact); !ok) return ok << " (exact)";
  }
  compared = !may_shed || (fast.simultaneous_steps == 0 && exact.simultaneous_steps == 0);
  return compared ? same_optimum(exact, fast) : ::testing::AssertionSuccess();
}

PlanningProblem random_charge_only(std::mt19937_64& rng, int cars, int steps) {
  std::uniform_real_distribution<double> u(0, 1);
  PlanningProblem p = random_prices(rng, steps);
  double limit = u(rng) < 0.2 ? kNoLimit : cars * (1 + 6 * u(rng));
  p.import_limit_kw.assign(static_cast<size_t>(steps), limit);
  if (u(rng) < 0.3) p.import_limit_kw[static_cast<size_t>(steps / 2)] = 0;  // a step the feeder is closed
  p.export_limit_kw.assign(static_cast<size_t>(steps), kNoLimit);
  for (int c = 0; c < cars; ++c) {
    int first = static_cast<int>(u(rng) * steps * 0.7);
    int end = first + 1 + static_cast<int>(u(rng) * (steps - first - 1));
    double cap = 30 + 70 * u(rng);
    double e0 = cap * (0.1 + 0.5 * u(rng));
    double target = cap * (0.6 + 0.4 * u(rng));
    double ceiling = u(rng) < 0.5 ? target : std::min(cap, target + 10);
    double eta = u(rng) < 0.5 ? 1.0 : 0.85 + 0.15 * u(rng);
    p.vehicles.add(first, end, 0.2 + 0.8 * u(rng), 0.2 + 0.8 * u(rng), 3 + 19 * u(rng), 0, e0, 0.2 * cap,
                   ceiling, target, eta, eta);
  }
  return p;
}

// The fast planner reaches the exact optimum on hundreds of random charge-only fleets (site limits binding or
// not, partial steps, efficiencies, negative prices, ceilings above targets, shortfalls), and both plans are
// feasible.
TEST(FastSolver, MatchesExactOnRandomChargeOnlyFleets) {
  std::mt19937_64 rng(2024);
  int binding = 0;
  for (int trial = 0; trial < 300; ++trial) {
    auto p = random_charge_only(rng, 1 + trial % 25, 8 + trial % 40);
    auto exact = solve_exact(p);
    auto fast = solve_fast(p);
    ASSERT_TRUE(exact.ok()) << exact.error().message;
    ASSERT_TRUE(fast.ok()) << fast.error().message;
    for (const Plan* plan : {&*exact, &*fast}) ASSERT_TRUE(feasible(p, *plan)) << trial;
    double scale = std::max(1.0, std::abs(exact->objective_eur));
    ASSERT_NEAR(fast->objective_eur, exact->objective_eur, 1e-6 * scale) << "trial " << trial;
    ASSERT_LE(fast->lower_bound_eur, exact->objective_eur + 1e-6 * scale) << trial;
    PlanningProblem unlimited = p;
    unlimited.import_limit_kw.assign(static_cast<size_t>(p.steps), kNoLimit);
    binding += exact->objective_eur > solve_exact(unlimited)->objective_eur + 1e-6;
  }
  EXPECT_GT(binding, 100);  // the site limit mattered in many of them
}

PlanningProblem random_bidirectional(std::mt19937_64& rng, int cars, int steps, bool lossy = false) {
  std::uniform_real_distribution<double> u(0, 1);
  PlanningProblem p = random_prices(rng, steps);
  if (u(rng) < 0.3) {
    for (auto& x : p.export_price_eur_per_kwh) x -= 0.02 * u(rng);  // selling below buying
  }
  p.wear_eur_per_kwh = u(rng) < 0.5 ? 0.03 : 0.0;
  double limit = u(rng) < 0.2 ? kNoLimit : cars * (1 + 6 * u(rng));
  p.import_limit_kw.assign(static_cast<size_t>(steps), limit);
  p.export_limit_kw.assign(static_cast<size_t>(steps), u(rng) < 0.5 ? limit : cars * 2 * u(rng));
  for (int c = 0; c < cars; ++c) {
    int first = static_cast<int>(u(rng) * steps * 0.7);
    int end = first + 1 + static_cast<int>(u(rng) * (steps - first - 1));
    double cap = 30 + 70 * u(rng);
    double e0 = cap * (0.1 + 0.6 * u(rng));
    double target = cap * (0.5 + 0.5 * u(rng));
    double ceiling = u(rng) < 0.5 ? std::max(target, e0) : cap;
    double pmax = 3 + 19 * u(rng);
    double dmax = u(rng) < 0.7 ? pmax : 0.0;
    double eta_c = lossy ? 0.85 + 0.15 * u(rng) : 1.0, eta_d = lossy ? 0.85 + 0.15 * u(rng) : 1.0;
    p.vehicles.add(first, end, 0.2 + 0.8 * u(rng), 0.2 + 0.8 * u(rng), pmax, dmax, e0,
                   std::min(e0, 0.2 * cap), ceiling, target, eta_c, eta_d);
  }
  return p;
}

// Lossless V2G: the fast planner's per-vehicle greedy (a g-polymatroid) inside the decomposition reaches the
// LP optimum on hundreds of random fleets with import and export limits, wear, and sell prices below buy.
TEST(FastSolver, MatchesExactOnRandomLosslessV2gFleets) {
  std::mt19937_64 rng(77);
  for (int trial = 0; trial < 300; ++trial) {
    auto p = random_bidirectional(rng, 1 + trial % 20, 8 + trial % 40);
    Plan exact, fast;
    bool compared = false;
    ASSERT_TRUE(fast_matches_exact(p, exact, fast, compared, false)) << trial;
  }
}

// Soft energy floors (what a car should hold at each step's end, each kWh below at a price): the decomposition
// (every car through the dynamic programme, charge-only ones too) reaches the LP's optimum on random fleets of
// lossy and lossless, bidirectional and charge-only cars, and the floors cost what the plans say.
TEST(FastSolver, MatchesExactWithSoftFloors) {
  std::mt19937_64 rng(31);
  std::uniform_real_distribution<double> u(0, 1);
  int binding = 0;
  for (int trial = 0; trial < 200; ++trial) {
    auto p = random_bidirectional(rng, 1 + trial % 15, 8 + trial % 30, trial % 2 == 0);
    for (size_t i = 0; i < p.vehicles.size(); ++i) {
      double lo = p.vehicles.e_min_kwh[i], hi = std::max(lo, p.vehicles.target_kwh[i]);
      for (int k = 0; k < p.vehicles.window(i); ++k) {
        double share = static_cast<double>(k + 1) / p.vehicles.window(i);  // rising towards the target
        p.soft_floor_kwh.push_back(lo + (hi - lo) * share * (0.5 + 0.5 * u(rng)));
      }
    }
    p.soft_floor_penalty_eur_per_kwh = 0.02 + u(rng);
    Plan exact, fast;
    bool compared = false;
    ASSERT_TRUE(fast_matches_exact(p, exact, fast, compared)) << trial;
    binding += compared && p.soft_floor_cost_eur(exact) > 1e-6;
  }
  EXPECT_GT(binding, 50);  // the floors cost something in many
}

// Nested feeders inside the fleet's limit: two sites, the second with a sub-feeder, vehicles on each; random
// limits that bind. Both planners keep every limit and agree on the optimum.
TEST(FastSolver, MatchesExactWithNestedFeeders) {
  std::mt19937_64 rng(31);
  std::uniform_real_distribution<double> u(0, 1);
  int binding = 0;
  for (int trial = 0; trial < 150; ++trial) {
    bool v2g = trial % 2 == 1;
    auto p = v2g ? random_bidirectional(rng, 6 + trial % 14, 8 + trial % 30)
                 : random_charge_only(rng, 6 + trial % 14, 8 + trial % 30);
    const size_t steps = static_cast<size_t>(p.steps);
    const double cars = static_cast<double>(p.vehicles.size());
    p.feeders = {Feeder{-1, std::vector<double>(steps, cars * (0.5 + 2 * u(rng))), std::vector<double>(steps, kNoLimit)},
                 Feeder{-1, std::vector<double>(steps, cars * (0.5 + 2 * u(rng))), std::vector<double>(steps, cars)},
                 Feeder{1, std::vector<double>(steps, cars * (0.2 + u(rng))), std::vector<double>(steps, cars * u(rng))}};
    for (size_t i = 0; i < p.vehicles.size(); ++i) p.vehicles.feeder[i] = static_cast<int>(i % 4) - 1;  // -1, 0, 1, 2
    Plan exact, fast;
    bool compared = false;
    ASSERT_TRUE(fast_matches_exact(p, exact, fast, compared, false)) << trial;
    PlanningProblem free = p;
    free.feeders.clear();
    for (int& f : free.vehicles.feeder) f = -1;
    binding += exact.objective_eur > solve_exact(free)->objective_eur + 1e-6;
  }
  EXPECT_GT(binding, 50);  // the feeders mattered
}

TEST(ExactSolver, FeederLimitBindsOnlyItsVehicles) {
  auto p = one_step_site(kNoLimit);
  p.feeders = {Feeder{-1, std::vector<double>(4, 5.0), std::vector<double>(4, kNoLimit)}};
  p.vehicles.add(0, 4, 1, 1, 10, 0, 0, 0, 10, 10, 1, 1, 0);   // behind the 5 kW feeder
  p.vehicles.add(0, 4, 1, 1, 10, 0, 0, 0, 10, 10, 1, 1, -1);  // on the main connection
  auto plan = solve_exact(p);
  ASSERT_TRUE(plan.ok());
  // Feeder car: 5 kWh at 0.05 and 5 kWh at 0.10; main car: 10 kWh at 0.05.
  EXPECT_NEAR(plan->energy_cost_eur, 5 * 0.05 + 5 * 0.10 + 10 * 0.05, 1e-9);
}

// A lossy car on its own: buys 10 kWh at 0.05 and sells at 0.20 what it stored beyond its target. The storage
// response and the LP agree on where and how much.
TEST(FastSolver, LossyCarSellsOnlyWhatItStoredBeyondItsTarget) {
  auto p = one_step_site(kNoLimit);
  p.import_price_eur_per_kwh = {0.05, 0.20, 0.10, 0.30};
  p.export_price_eur_per_kwh = p.import_price_eur_per_kwh;
  // 4 steps of 1 h, 10 kW both ways, starts at 20 kWh, floor 10, ceiling 30, target 20, 90 % each way.
  p.vehicles.add(0, 4, 1, 1, 10, 10, 20, 10, 30, 20, 0.9, 0.9);
  auto fast = solve_fast(p);
  auto exact = solve_exact(p);
  ASSERT_TRUE(fast.ok()) << fast.error().message;
  ASSERT_TRUE(exact.ok());
  // Buying at 0.05 or 0.10 and selling at 0.20 or 0.30 pays even after 19 % round-trip losses: it charges in
  // step 0 at full power and ends the day at its target by selling in step 3.
  EXPECT_NEAR(fast->objective_eur, exact->objective_eur, 1e-9);
  auto c = check_plan(p, *fast);
  EXPECT_LE(c.max_energy_violation_kwh, 1e-9);
  EXPECT_NEAR(c.shortfall_kwh, 0, 1e-9);
  EXPECT_EQ(fast->simultaneous_steps, 0);
  EXPECT_NEAR(fast->of(0)[0], 10, 1e-9);
  EXPECT_LT(fast->of(0)[3], 0);
}

// Lossy V2G (efficiencies 0.85-1 each way, different per car) at prices >= 0 with export <= import: the storage
// response inside the decomposition reaches the LP optimum on hundreds of random fleets with import and export
// limits and wear. (Where a step's import and export prices are equal and the energy is worth nothing more, the
// LP may still charge and discharge a car at once at no cost; the plan is then turned into one power per step.)
TEST(FastSolver, MatchesExactOnRandomLossyV2gFleets) {
  std::mt19937_64 rng(4242);
  for (int trial = 0; trial < 300; ++trial) {
    auto p = random_bidirectional(rng, 1 + trial % 20, 8 + trial % 40, true);
    for (int t = 0; t < p.steps; ++t) {  // prices >= 0, selling at most at the buying price
      p.import_price_eur_per_kwh[t] = std::abs(p.import_price_eur_per_kwh[t]);
      p.export_price_eur_per_kwh[t] = std::min(std::abs(p.export_price_eur_per_kwh[t]), p.import_price_eur_per_kwh[t]);
    }
    Plan exact, fast;
    bool compared = false;
    ASSERT_TRUE(fast_matches_exact(p, exact, fast, compared, false)) << trial;
  }
}

// At negative prices (or selling above the buying price) the LP sheds energy by charging and discharging a car
// in one step. Both planners turn such steps into one power per car that keeps its energy window; the fleets
// that never shed match the LP.
TEST(FastSolver, LossyFleetsAtNegativePricesKeepEveryEnergyWindow) {
  std::mt19937_64 rng(4242);
  int shedding = 0;
  for (int trial = 0; trial < 300; ++trial) {
    auto p = random_bidirectional(rng, 1 + trial % 20, 8 + trial % 40, true);
    auto exact = solve_exact(p);
    auto fast = solve_fast(p);
    ASSERT_TRUE(exact.ok()) << exact.error().message;
    ASSERT_TRUE(fast.ok()) << fast.error().message;
    for (const Plan* plan : {&*exact, &*fast}) {
      auto c = check_plan(p, *plan);
      ASSERT_LE(c.max_power_violation_kw, 1e-7) << trial;
      ASSERT_LE(c.max_energy_violation_kwh, 1e-6) << trial;
    }
    if (fast->simultaneous_steps > 0 || exact->simultaneous_steps > 0) {
      ++shedding;
      continue;
    }
    ASSERT_TRUE(feasible(p, *fast)) << trial;
    ASSERT_TRUE(same_optimum(*exact, *fast)) << trial;
  }
  EXPECT_GT(shedding, 0);   // the case is exercised
  EXPECT_LT(shedding, 30);  // and rare
}

// One power per step from a step that both charges 2 kW and discharges 7 kW (90 % each way): the battery ends
// where both would leave it, unless that exports beyond the limit; then the net power is kept if the battery's
// ceiling allows the energy it keeps.
TEST(SingleDirection, KeepsTheBatteryWhereBothWouldLeaveItWithinTheExportLimit) {
  PlanningProblem p;
  p.steps = 2;
  p.dt_h = 1.0;
  p.import_price_eur_per_kwh = {0.1, 0.1};
  p.export_price_eur_per_kwh = p.import_price_eur_per_kwh;
  p.import_limit_kw = {kNoLimit, kNoLimit};
  p.export_limit_kw = {kNoLimit, kNoLimit};
  p.vehicles.add(0, 2, 1, 1, 10, 10, 10, 0, 20, 0, 0.9, 0.9);
  Plan plan;
  plan.offset = {0, 2};
  std::vector<double> charge{2, 0}, discharge{7, 0};
  set_single_direction(p, charge, discharge, plan);
  const double battery_kwh = 0.9 * 2 - 7 / 0.9;
  EXPECT_NEAR(plan.kw[0], battery_kwh * 0.9, 1e-12);
  EXPECT_EQ(plan.simultaneous_steps, 1);

  p.export_limit_kw = {5, 5};  // -5.38 kW would break it: the net -5 kW is kept, with room below the ceiling
  set_single_direction(p, charge, discharge, plan);
  EXPECT_NEAR(plan.kw[0], -5, 1e-12);

  p.vehicles.e_max_kwh[0] = 10 + battery_kwh + 0.1;  // no room for the 0.42 kWh it would keep
  set_single_direction(p, charge, discharge, plan);
  EXPECT_NEAR(plan.kw[0], battery_kwh * 0.9, 1e-12);

  // A followed profile or a held power keeps the fleet's power as planned, as an export limit does.
  p.vehicles.e_max_kwh[0] = 20;
  p.export_limit_kw = {kNoLimit, kNoLimit};
  p.fleet_profile_kw = {-5, 0};
  set_single_direction(p, charge, discharge, plan);
  EXPECT_NEAR(plan.kw[0], -5, 1e-12);
  p.fleet_profile_kw.clear();
  p.hold_first_step = 0;
  p.hold_steps = 1;
  p.hold_direction = -1;
  set_single_direction(p, charge, discharge, plan);
  EXPECT_NEAR(plan.kw[0], -5, 1e-12);
}

// Cross-check with an independent LP (PuLP + CBC in ../shared/bench/peers.md) on the published N = 100 fleet.
TEST(ExactSolver, BenchmarkFleetMatchesReferenceLp) {
  auto evs = generate_fleet_day(100, 42);
  auto prices = fleet_day_prices_eur_per_kwh();
  auto g2v = solve_exact(fleet_day_problem(evs, prices, 400, false, 0));
  ASSERT_TRUE(g2v.ok());
  EXPECT_NEAR(g2v->energy_cost_eur, 288.56, 0.005);
  auto v2g = solve_exact(fleet_day_problem(evs, prices, 400, true, kFleetDayWearEurPerKwh));
  ASSERT_TRUE(v2g.ok());
  // V2G optima are degenerate: solutions with the same energy + wear objective split it differently between the
  // two, so the reported energy cost (wear excluded) may differ from the reference's by a few cents.
  EXPECT_NEAR(v2g->energy_cost_eur, 244.36, 0.05);
  EXPECT_LT(v2g->energy_cost_eur + v2g->wear_cost_eur, g2v->energy_cost_eur);  // V2G can only help
  auto fast = solve_fast(fleet_day_problem(evs, prices, 400, false, 0));
  ASSERT_TRUE(fast.ok());
  EXPECT_NEAR(fast->energy_cost_eur, g2v->energy_cost_eur, 1e-6 * g2v->energy_cost_eur);
  auto fast_v2g = solve_fast(fleet_day_problem(evs, prices, 400, true, kFleetDayWearEurPerKwh));
  ASSERT_TRUE(fast_v2g.ok()) << fast_v2g.error().message;
  EXPECT_NEAR(fast_v2g->objective_eur, v2g->objective_eur, 1e-6 * (v2g->energy_cost_eur + v2g->wear_cost_eur));
}

// Calendar wear rising with the stored energy, and a cost per kWh moved through the battery.
VehicleWear rising_wear(double capacity_kwh) {
  // 0.01 EUR/h when empty, 0.05 EUR/h when full, convex: two lines in stored kWh.
  double c = capacity_kwh;
  return VehicleWear{{{0.02 / (0.5 * c), 0.01}, {0.06 / (0.5 * c), -0.01}}, 0.02};
}

// With wear in the objective the exact planner finds a plan whose energy + wear is no worse than the
// price-only plan's, and whose wear is no higher; flat prices make it charge as late as it can.
TEST(ExactSolver, WearAwarePlanSpendsWearOnlyWhereItPays) {
  std::mt19937_64 rng(9);
  for (int trial = 0; trial < 100; ++trial) {
    auto p = random_bidirectional(rng, 1 + trial % 6, 8 + trial % 20);
    p.wear_eur_per_kwh = 0;
    auto price_only = solve_exact(p);
    ASSERT_TRUE(price_only.ok());
    for (size_t i = 0; i < p.vehicles.size(); ++i) p.vehicle_wear.push_back(rising_wear(p.vehicles.e_max_kwh[i] + 1));
    auto aware = solve_exact(p);
    ASSERT_TRUE(aware.ok()) << aware.error().message;
    auto sum = [](const std::vector<double>& v) { double s = 0; for (double x : v) s += x; return s; };
    double wear_aware = sum(plan_battery_wear_eur(p, *aware)), wear_price_only = sum(plan_battery_wear_eur(p, *price_only));
    EXPECT_NEAR(wear_aware, aware->battery_wear_eur, 1e-6 * std::max(1.0, wear_aware)) << trial;  // the LP's own sum
    double total_aware = aware->energy_cost_eur + wear_aware, total_price_only = price_only->energy_cost_eur + wear_price_only;
    double short_aware = sum(aware->shortfall_kwh), short_price_only = sum(price_only->shortfall_kwh);
    ASSERT_NEAR(short_aware, short_price_only, 1e-6) << trial;  // owners first, either way
    EXPECT_LE(total_aware, total_price_only + 1e-6) << trial;
  }
}

// Owner guardrails hold in every plan: no more discharge than the cap, no more wear beyond charging on arrival's
// than the budget (0 in a third of the cars: no extra wear at all).
TEST(ExactSolver, GuardrailsAreNeverExceeded) {
  std::mt19937_64 rng(10);
  std::uniform_real_distribution<double> u(0, 1);
  int binding = 0;
  for (int trial = 0; trial < 100; ++trial) {
    auto p = random_bidirectional(rng, 1 + trial % 6, 8 + trial % 20);
    for (size_t i = 0; i < p.vehicles.size(); ++i) {
      p.vehicle_wear.push_back(rising_wear(p.vehicles.e_max_kwh[i] + 1));
      p.guardrails.push_back(OwnerGuardrails{u(rng) * 5, u(rng) < 0.3 ? 0.0 : u(rng) * 2});
    }
    auto plan = solve_exact(p);
    ASSERT_TRUE(plan.ok()) << plan.error().message;
    auto wear = plan_battery_wear_eur(p, *plan);
    auto default_wear = plan_battery_wear_eur(p, arrival_charging_plan(p));
    for (size_t i = 0; i < p.vehicles.size(); ++i) {
      double discharged = 0;
      for (double kw : plan->of(i)) discharged += std::max(0.0, -kw) * p.dt_h;
      ASSERT_LE(discharged, p.guardrails[i].discharge_cap_kwh + 1e-6) << trial;
      ASSERT_LE(wear[i] - default_wear[i], p.guardrails[i].extra_wear_budget_eur + 1e-6) << trial;
      binding += discharged > p.guardrails[i].discharge_cap_kwh - 1e-6 && p.vehicles.discharge_max_kw[i] > 0;
    }
  }
  EXPECT_GT(binding, 20);  // the caps mattered
}

// The default trajectory: full power from arrival until the target, capped by the ceiling; nothing to add when
// the car arrives above its target.
TEST(ArrivalCharging, FullPowerUntilTheTarget) {
  auto p = one_step_site(kNoLimit);
  p.vehicles.add(0, 4, 0.5, 1, 10, 0, 0, 0, 30, 22, 0.9, 0.9);   // 4.5 + 9 + 9 = 22.5 >= 22 stored
  p.vehicles.add(1, 3, 1, 1, 10, 10, 25, 5, 30, 20, 1, 1);       // above its target
  auto plan = arrival_charging_plan(p);
  ASSERT_EQ(plan.of(0).size(), 4u);
  EXPECT_NEAR(plan.of(0)[0], 5, 1e-12);  // half the step present
  EXPECT_NEAR(plan.of(0)[1], 10, 1e-12);
  EXPECT_NEAR(plan.of(0)[2], (22 - 4.5 - 9) / 0.9, 1e-12);
  EXPECT_EQ(plan.of(0)[3], 0);
  for (double kw : plan.of(1)) EXPECT_EQ(kw, 0);
}

TEST(FastSolver, RefusesGuardrails) {
  auto p = one_step_site(kNoLimit);
  p.vehicles.add(0, 4, 1, 1, 10, 0, 0, 0, 10, 10, 1, 1);
  p.guardrails.push_back(OwnerGuardrails{1.0, kNoLimit});
  auto fast = solve_fast(p);
  ASSERT_FALSE(fast.ok());
  EXPECT_NE(fast.error().message.find("exact solver"), std::string::npos);
}

// Battery wear in the decomposition: each car's calendar cost (convex in its stored energy) and cycling cost
// ride in its dynamic programme; on random fleets (charge-only, lossless and lossy V2G, site limits) the plan
// reaches the exact LP's energy + wear optimum.
TEST(FastSolver, MatchesExactWithBatteryWear) {
  std::mt19937_64 rng(57);
  int wear_mattered = 0;
  for (int trial = 0; trial < 150; ++trial) {
    auto p = trial % 3 == 0 ? random_charge_only(rng, 1 + trial % 12, 8 + trial % 30)
                            : random_bidirectional(rng, 1 + trial % 12, 8 + trial % 30, trial % 3 == 2);
    for (size_t i = 0; i < p.vehicles.size(); ++i) {
      double c = p.vehicles.e_max_kwh[i] + 1;
      if (trial % 2 == 0) {
        p.vehicle_wear.push_back(rising_wear(c));
      } else {
        // Four lines: one only touches the maximum at a point, one has the same slope as another but is lower,
        // and the kinks may lie outside the car's window.
        p.vehicle_wear.push_back(VehicleWear{{{0.0, 0.01}, {0.01 / (0.5 * c), 0.0}, {0.02 / (0.5 * c), -0.01},
                                              {0.02 / (0.5 * c), -0.02}},
                                             0.01});
      }
    }
    Plan exact, fast;
    bool compared = false;
    ASSERT_TRUE(fast_matches_exact(p, exact, fast, compared)) << trial;
    if (!compared) continue;
    EXPECT_NEAR(fast.battery_wear_eur, exact.battery_wear_eur, 1e-4 * std::max(1.0, exact.battery_wear_eur)) << trial;
    PlanningProblem plain = p;
    plain.vehicle_wear.clear();
    wear_mattered += fleet_power_kw(p, exact) != fleet_power_kw(plain, *solve_exact(plain));
  }
  EXPECT_GT(wear_mattered, 50);  // wear changed the plan in many
}

// Large V2G fleets start from a sample's dual point with the ties broken towards the limits (FastSolverOptions::
// sample_vehicles): here fleets of 40-160 cars start from samples of 8-20, lossless and lossy, some cars
// charge-only, a third with battery wear, a sixth following a profile. Wherever the sample's point lands (near the optimum or not), the plan
// keeps every limit, box and window and reaches the LP's optimum.
TEST(FastSolver, MatchesExactFromASampleWarmStart) {
  std::mt19937_64 rng(91);
  for (int trial = 0; trial < 90; ++trial) {
    auto p = random_bidirectional(rng, 40 + 4 * (trial % 31), 12 + trial % 30, trial % 2 == 1);
    if (trial % 3 == 0) {
      for (size_t i = 0; i < p.vehicles.size(); ++i) p.vehicle_wear.push_back(rising_wear(p.vehicles.e_max_kwh[i] + 1));
    }
    if (trial % 6 == 1) {  // following a profile the fleet can follow (its own plan's), export credited alike
      auto own = solve_exact(p);
      ASSERT_TRUE(own.ok());
      p.fleet_profile_kw = fleet_power_kw(p, *own);
    }
    FastSolverOptions options;
    options.sample_above = 30;
    options.sample_vehicles = 8 + trial % 13;
    Plan exact, fast;
    bool compared = false;
    ASSERT_TRUE(fast_matches_exact(p, exact, fast, compared, trial % 2 == 1, options)) << trial;
    // The bound from the tie-broken passes (less what their offsets could move) is a true bound.
    const double scale = std::max(1.0, std::abs(exact.energy_cost_eur + exact.wear_cost_eur));
    ASSERT_LE(fast.lower_bound_eur, exact.objective_eur + 1e-9 * scale) << trial;
  }
}

// On a benchmark fleet day (hourly prices over quarter hours: most cars are indifferent between several
// schedules at the optimal dual point) the tie-broken columns alone let the first master meet every binding
// limit at the optimum: one master solve, no further pass.
TEST(FastSolver, TieBrokenColumnsSettleTheBenchmarkDayAtOnce) {
  for (uint64_t seed : {3, 5}) {
    const int64_t n = 3000;
    PlanningProblem p = fleet_day_problem(generate_fleet_day(n, seed), fleet_day_prices_eur_per_kwh(),
                                          kFleetDaySiteKwPerEv * static_cast<double>(n), true, kFleetDayWearEurPerKwh);
    FastSolverOptions options;
    options.sample_above = 2000;
    options.sample_vehicles = 1000;
    auto plan = solve_fast(p, options);
    ASSERT_TRUE(plan.ok());
    ASSERT_TRUE(feasible(p, *plan));
    EXPECT_EQ(plan->iterations, 1) << seed;
    EXPECT_LE(plan->gap(), FastSolverOptions{}.relative_gap) << seed;
  }
}

}  // namespace
}  // namespace voltpool
