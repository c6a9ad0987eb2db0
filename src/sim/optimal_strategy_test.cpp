#include "sim/optimal_strategy.hpp"

#include <gtest/gtest.h>

#include "plan/exact_solver.hpp"
#include "sim/strategies.hpp"
#include "sim/summary.hpp"
#include "sim/test_fleets.hpp"

namespace voltpool {
namespace {

double hindsight_objective(const SimulationInput& in, bool v2g) {
  auto plan = solve_exact(perfect_foresight_problem(in, v2g, 0.03));
  EXPECT_TRUE(plan.ok());
  return plan->energy_cost_eur + plan->wear_cost_eur;
}

double realised_money(const SimulationResult& r, bool v2g) {
  double money = 0;
  for (const auto& o : r.sessions) money += o.cost_eur + (v2g ? 0.03 * o.export_kwh : 0.0);
  return money;
}

// With nothing unknown (owners state their real departures, every price is published, no site limit to share)
// the rolling horizon without a V2G reserve (which only guards against the unknown) reproduces the hindsight
// optimum exactly.
TEST(OptimalStrategy, MatchesHindsightWhenNothingIsUnknown) {
  std::mt19937_64 rng(17);
  StrategyOptions no_reserve;
  no_reserve.v2g_reserve_share = 0;
  for (int trial = 0; trial < 60; ++trial) {
    auto in = testing::random_fleet(rng, 1 + trial % 10, 48);
    for (bool v2g : {false, true}) {
      auto s = std::move(*make_strategy(v2g ? "optimal-v2g" : "optimal", no_reserve));
      auto r = simulate(in, *s);
      auto sum = summarize(in, r, "optimal");
      ASSERT_NEAR(sum.pct_of_feasible, 100, 1e-6) << trial;
      double best = hindsight_objective(in, v2g);
      ASSERT_NEAR(realised_money(r, v2g), best, 1e-6 * std::max(1.0, std::abs(best))) << trial << " v2g " << v2g;
    }
  }
}

// With a shared site limit, later arrivals are unknown when earlier cars are planned: the plan keeps the site
// limit by itself (the simulator's guard never acts), and the realised result, priced like the planner's
// objective, can only be worse than the hindsight optimum, which it is a feasible solution of.
TEST(OptimalStrategy, KeepsTheSiteLimitAndIsBoundedByHindsight) {
  std::mt19937_64 rng(23);
  for (int trial = 0; trial < 25; ++trial) {
    auto in = testing::random_fleet(rng, 4 + trial % 12, 64);
    in.site.import_kw = in.site.export_kw = 12;
    auto opt = std::move(*make_strategy("optimal"));
    auto r = simulate(in, *opt);
    EXPECT_EQ(r.steps_site_limited, 0) << trial;
    for (double kw : r.fleet_kw) EXPECT_LE(kw, 12 + 1e-6);
    auto hindsight = perfect_foresight_problem(in, false, 0);
    auto best = solve_exact(hindsight);
    ASSERT_TRUE(best.ok());
    double realised = 0;
    for (const auto& o : r.sessions) {
      realised += o.cost_eur + hindsight.shortfall_penalty_eur_per_kwh() * std::max(0.0, o.need_kwh - o.delivered_kwh);
    }
    EXPECT_GE(realised, best->objective_eur - 1e-6 * std::max(1.0, best->objective_eur)) << trial;
  }
}

TEST(OptimalStrategy, PersistenceForecastRepeatsYesterday) {
  std::vector<double> known = {1, 2, 3, 4};  // a "day" of 2 steps: steps 0-1 and 2-3
  EXPECT_EQ(forecast_prices(known, 2, 7, 2), (std::vector<double>{3, 4, 3, 4, 3}));
}

}  // namespace
}  // namespace voltpool
