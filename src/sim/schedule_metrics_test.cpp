#include "sim/schedule_metrics.hpp"

#include <gtest/gtest.h>

namespace voltpool {
namespace {

// Two EVs, four quarter-hour steps, worked out by hand.
TEST(ScheduleMetrics, HandComputedExample) {
  std::vector<BenchEv> evs(2);
  evs[0] = {0, true, 0, 3, 40, 10, 14, 8, 8, 8};   // request 4 kWh
  evs[1] = {1, false, 1, 4, 60, 30, 40, 12, 4, 4};  // request 10 kWh, at most 4 kW * 3 steps * 0.25 h = 3 kWh
  std::vector<double> prices = {0.1, 0.2, 0.3, 0.4};
  // EV0: 8 kW at step 0 (2 kWh), 8 kW at step 1 (2 kWh) -> 4 kWh, served.
  // EV1: 4 kW at steps 1..3 -> 3 kWh; plus a 1 kW at step 0, outside its window (a violation).
  std::vector<double> kw = {8, 8, 0, 0, /* ev1 */ 1, 4, 4, 4};
  auto m = evaluate_schedule(evs, prices, 10, kw, 0.25, false);
  EXPECT_DOUBLE_EQ(m.delivered_kwh, 4 + 3.25);
  EXPECT_DOUBLE_EQ(m.demand_met_kwh, 4 + 3.25);
  EXPECT_DOUBLE_EQ(m.feasible_kwh, 4 + 3);
  EXPECT_DOUBLE_EQ(m.pct_of_feasible, 100 * 7.25 / 7);
  EXPECT_EQ(m.fully_served, 1);
  // cost: step0 (8+1)*0.25*0.1 + step1 12*0.25*0.2 + step2 4*0.25*0.3 + step3 4*0.25*0.4
  EXPECT_NEAR(m.cost_eur, 0.225 + 0.6 + 0.3 + 0.4, 1e-12);
  EXPECT_DOUBLE_EQ(m.peak_kw, 12);
  EXPECT_EQ(m.steps_over_limit, 1);
  EXPECT_EQ(m.violations, 1);
}

TEST(ScheduleMetrics, DischargeIsAViolationOnlyWithoutV2g) {
  std::vector<BenchEv> evs(1);
  evs[0] = {0, true, 0, 2, 40, 20, 30, 8, 8, 8};
  std::vector<double> prices = {0.2, 0.1};
  std::vector<double> kw = {-8, 8};
  EXPECT_EQ(evaluate_schedule(evs, prices, 100, kw, 0.25, false).violations, 1);
  auto m = evaluate_schedule(evs, prices, 100, kw, 0.25, true);
  EXPECT_EQ(m.violations, 0);
  EXPECT_NEAR(m.cost_eur, -8 * 0.25 * 0.2 + 8 * 0.25 * 0.1, 1e-12);
}

TEST(ScheduleMetrics, EnergyBelowMinimumIsAViolation) {
  std::vector<BenchEv> evs(1);
  evs[0] = {0, true, 0, 2, 40, 10, 30, 9, 8, 8};  // only 1 kWh above its minimum
  std::vector<double> prices = {0.2, 0.1};
  std::vector<double> kw = {-8, 8};               // 2 kWh out at step 0
  EXPECT_EQ(evaluate_schedule(evs, prices, 100, kw, 0.25, true).violations, 1);
}

}  // namespace
}  // namespace voltpool
