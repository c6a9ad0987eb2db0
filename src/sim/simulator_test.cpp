#include "sim/simulator.hpp"

#include <gtest/gtest.h>

#include <numeric>

#include "sim/strategies.hpp"
#include "sim/summary.hpp"
#include "sim/test_fleets.hpp"

namespace voltpool {
namespace {

using namespace std::chrono;

SimulationInput one_car(double arrive_min, double leave_min) {
  SimulationInput in;
  in.grid = TimeGrid{UtcTime{hours{24 * 19000}}, minutes{15}, 8};
  in.price_eur_per_kwh.assign(8, 0.1);
  PlugSession s;
  s.id = s.vehicle_id = "a";
  s.arrival = in.grid.start + seconds{static_cast<int>(arrive_min * 60)};
  s.departure = in.grid.start + seconds{static_cast<int>(leave_min * 60)};
  s.needs.est_departure = s.departure;
  s.capacity_kwh = 50;
  s.arrival_energy_kwh = 10;
  s.needs.target_energy_kwh = 40;
  s.needs.min_energy_kwh = 10;
  s.charge_max_kw = 8;
  s.charge_efficiency = 1;
  s.discharge_efficiency = 1;
  in.sessions.push_back(s);
  return in;
}

TEST(Simulator, PartialStepsChargeOnlyWhilePresent) {
  // Arrives 10 min into step 0, leaves 5 min into step 3: present 5 + 15 + 15 + 5 = 40 min at 8 kW.
  auto in = one_car(10, 50);
  auto strategy = std::move(*make_strategy("uncontrolled"));
  auto r = simulate(in, *strategy);
  EXPECT_NEAR(r.sessions[0].delivered_kwh, 8.0 * 40 / 60, 1e-12);
  EXPECT_NEAR(r.fleet_kw[0], 8.0 * 5 / 15, 1e-12);
  EXPECT_NEAR(r.fleet_kw[1], 8.0, 1e-12);
  EXPECT_NEAR(r.fleet_kw[3], 8.0 * 5 / 15, 1e-12);
  EXPECT_EQ(r.fleet_kw[4], 0);
  EXPECT_NEAR(r.sessions[0].cost_eur, 0.1 * 8.0 * 40 / 60, 1e-12);
  EXPECT_NEAR(r.sessions[0].feasible_kwh, 8.0 * 40 / 60, 1e-9);
}

TEST(Simulator, SiteGuardScalesChargingDown) {
  auto in = one_car(0, 120);
  in.sessions.push_back(in.sessions[0]);
  in.sessions[1].id = in.sessions[1].vehicle_id = "b";
  in.site.import_kw = 10;
  auto strategy = std::move(*make_strategy("uncontrolled"));
  auto r = simulate(in, *strategy);
  for (double kw : r.fleet_kw) EXPECT_LE(kw, 10 + 1e-9);
  EXPECT_NEAR(r.fleet_kw[0], 10, 1e-9);
  EXPECT_GT(r.steps_site_limited, 0);
}

// Property: on random fleets, for every strategy, energy is conserved (grid = stored + losses, to 1e-9 kWh),
// energy stays within each car's window, power within its limits, and nothing flows while a car is away.
TEST(Simulator, InvariantsOverRandomFleets) {
  std::mt19937_64 rng(11);
  for (int trial = 0; trial < 300; ++trial) {
    auto in = testing::random_fleet(rng, 1 + trial % 12, 24 + trial % 48);
    if (trial % 3 == 0) in.site.import_kw = 15;
    for (const char* name : {"uncontrolled", "price-greedy"}) {
      auto strategy = std::move(*make_strategy(name));
      auto r = simulate(in, *strategy);
      for (size_t i = 0; i < in.sessions.size(); ++i) {
        const PlugSession& s = in.sessions[i];
        const SessionOutcome& o = r.sessions[i];
        double grid_kwh = 0, kwh_in = 0;
        auto log = r.meter.of(i);
        for (size_t k = 0; k < log.size(); ++k) {
          int t = r.meter.first_step[i] + static_cast<int>(k);
          double frac = presence_fraction(in.grid, t, s.arrival, s.departure);
          ASSERT_LE(log[k], s.charge_max_kw * frac + 1e-9);
          ASSERT_GE(log[k], -s.discharge_max_kw * frac - 1e-9);
          grid_kwh += log[k] * in.grid.dt_h();
          kwh_in += std::max(log[k], 0.0) * in.grid.dt_h();
        }
        ASSERT_NEAR(grid_kwh, o.import_kwh - o.export_kwh, 1e-9);
        ASSERT_NEAR(kwh_in, o.import_kwh, 1e-9);
        // G2V strategies: stored = grid * efficiency exactly.
        ASSERT_NEAR(o.delivered_kwh, o.import_kwh * s.charge_efficiency - o.export_kwh / s.discharge_efficiency, 1e-9);
        ASSERT_LE(o.final_energy_kwh, std::max(s.needs.target_energy_kwh, s.arrival_energy_kwh) + 1e-9);
        ASSERT_GE(o.final_energy_kwh, s.needs.min_energy_kwh - 1e-9);
      }
      double fleet = std::accumulate(r.fleet_kw.begin(), r.fleet_kw.end(), 0.0) * in.grid.dt_h();
      auto sum = summarize(in, r, name);
      ASSERT_NEAR(fleet, sum.grid_import_kwh - sum.grid_export_kwh, 1e-9);
      ASSERT_NEAR(sum.losses_kwh, sum.grid_import_kwh - sum.grid_export_kwh - sum.energy_delivered_kwh, 1e-9);
      if (in.site.import_kw < 1e300) {
        for (double kw : r.fleet_kw) ASSERT_LE(kw, in.site.import_kw + 1e-9);
      }
    }
  }
}

}  // namespace
}  // namespace voltpool
