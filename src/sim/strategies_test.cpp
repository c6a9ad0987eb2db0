#include <gtest/gtest.h>

#include "sim/strategies.hpp"
#include "sim/summary.hpp"
#include "sim/test_fleets.hpp"

namespace voltpool {
namespace {

using namespace std::chrono;

TEST(PriceGreedy, TakesTheCheapestStepsBeforeDeparture) {
  SimulationInput in;
  in.grid = TimeGrid{UtcTime{hours{24 * 19000}}, hours{1}, 4};
  in.price_eur_per_kwh = {0.30, 0.10, 0.20, 0.05};
  PlugSession s;
  s.id = s.vehicle_id = "a";
  s.arrival = in.grid.start;
  s.departure = in.grid.end();
  s.needs.est_departure = s.departure;
  s.capacity_kwh = 50;
  s.arrival_energy_kwh = 10;
  s.needs.target_energy_kwh = 25;  // 15 kWh at 10 kW: steps 3 (10 kWh) and 1 (5 kWh)
  s.charge_max_kw = 10;
  in.sessions.push_back(s);
  auto strategy = std::move(*make_strategy("price-greedy"));
  auto r = simulate(in, *strategy);
  EXPECT_EQ(r.fleet_kw, (std::vector<double>{0, 5, 0, 10}));
  EXPECT_NEAR(r.sessions[0].cost_eur, 5 * 0.10 + 10 * 0.05, 1e-12);
}

TEST(PriceGreedy, DoesNotUsePricesBeforeTheyArePublished) {
  SimulationInput in;
  in.grid = TimeGrid{UtcTime{hours{24 * 19000}}, hours{1}, 4};
  in.price_eur_per_kwh = {0.30, 0.20, 0.05, 0.01};
  in.price_published_step = {0, 0, 2, 2};  // steps 2-3 are published at step 2
  PlugSession s;
  s.id = s.vehicle_id = "a";
  s.arrival = in.grid.start;
  s.departure = in.grid.end();
  s.needs.est_departure = s.departure;
  s.capacity_kwh = 50;
  s.arrival_energy_kwh = 10;
  s.needs.target_energy_kwh = 40;
  s.charge_max_kw = 10;
  in.sessions.push_back(s);
  auto strategy = std::move(*make_strategy("price-greedy"));
  auto r = simulate(in, *strategy);
  // At step 0 only steps 0-1 are priced: it plans both known steps and 10 kWh in the earliest unknown step.
  // Had it peeked, it would have charged at steps 1-3. At step 2 the new prices arrive and it moves the
  // remaining 10 kWh to the cheaper step 3.
  EXPECT_EQ(r.fleet_kw, (std::vector<double>{10, 10, 0, 10}));
}

// On random fleets whose owners state their real departure, price-greedy never pays more than uncontrolled
// and both deliver every kWh that was physically possible.
TEST(PriceGreedy, CheaperThanUncontrolledWithSameEnergy) {
  std::mt19937_64 rng(5);
  for (int trial = 0; trial < 200; ++trial) {
    auto in = testing::random_fleet(rng, 1 + trial % 20, 96);
    auto u = std::move(*make_strategy("uncontrolled"));
    auto g = std::move(*make_strategy("price-greedy"));
    auto su = summarize(in, simulate(in, *u), "uncontrolled");
    auto sg = summarize(in, simulate(in, *g), "price-greedy");
    ASSERT_NEAR(su.pct_of_feasible, 100, 1e-9);
    ASSERT_NEAR(sg.pct_of_feasible, 100, 1e-9);
    ASSERT_NEAR(sg.energy_delivered_kwh, su.energy_delivered_kwh, 1e-6);
    ASSERT_LE(sg.cost_eur, su.cost_eur + 1e-9);
  }
}

TEST(Strategies, UnknownNameListsKnownOnes) {
  auto s = make_strategy("magic");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("price-greedy"), std::string::npos);
}

}  // namespace
}  // namespace voltpool
