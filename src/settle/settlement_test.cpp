#include <gtest/gtest.h>

#include <random>

#include "settle/settlement.hpp"

namespace voltpool::settle {
namespace {

const UtcTime kNoon{std::chrono::seconds(1717416000)};  // 2024-06-03 12:00 UTC
UtcTime at(int minutes) { return kNoon + std::chrono::minutes(minutes); }

TimeSeries hourly(std::vector<double> eur_per_kwh) {
  return TimeSeries{kNoon, Seconds(3600), std::move(eur_per_kwh)};
}

TEST(MeterIntervals, SplitEnergyLinearlyAndConserveIt) {
  std::vector<RegisterReading> r = {{at(30), 1000, 0}, {at(90), 4000, 0}, {at(90), 4500, 0}, {at(150), 4500, 2000}};
  auto iv = meter_intervals(r, Seconds(3600));
  ASSERT_TRUE(iv) << iv.error().message;
  ASSERT_EQ(iv->size(), 3u);
  EXPECT_DOUBLE_EQ((*iv)[0].import_kwh, 1.5);  // 30 of the 60 minutes of the first span
  EXPECT_DOUBLE_EQ((*iv)[1].import_kwh, 1.5 + 0.5);
  EXPECT_DOUBLE_EQ((*iv)[1].export_kwh, 1.0);  // 30 of the 60 minutes of the last span
  EXPECT_DOUBLE_EQ((*iv)[2].export_kwh, 1.0);
}

TEST(MeterIntervals, ConserveEnergyOnRandomReadings) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<RegisterReading> r;
    UtcTime t = at(std::uniform_int_distribution<int>(0, 59)(rng));
    double imp = 0, exp = 0;
    for (int i = 0; i < 30; ++i) {
      r.push_back({t, imp, exp});
      t += Seconds(std::uniform_int_distribution<int>(0, 2000)(rng));
      imp += std::uniform_real_distribution<double>(0, 3000)(rng);
      exp += std::uniform_real_distribution<double>(0, 500)(rng);
    }
    auto iv = meter_intervals(r, Seconds(900));
    ASSERT_TRUE(iv);
    double sum_imp = 0, sum_exp = 0;
    for (const auto& x : *iv) {
      sum_imp += x.import_kwh;
      sum_exp += x.export_kwh;
    }
    EXPECT_NEAR(sum_imp, (r.back().import_wh - r.front().import_wh) / 1000.0, 1e-9);
    EXPECT_NEAR(sum_exp, (r.back().export_wh - r.front().export_wh) / 1000.0, 1e-9);
  }
}

TEST(MeterIntervals, NameBadReadings) {
  std::vector<RegisterReading> back = {{at(10), 1000, 0}, {at(5), 2000, 0}};
  auto e = meter_intervals(back, Seconds(3600));
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message.find("earlier"), std::string::npos);
  std::vector<RegisterReading> down = {{at(10), 1000, 0}, {at(20), 900, 0}};
  ASSERT_FALSE(meter_intervals(down, Seconds(3600)));
}

TEST(Settlement, PaysTheOwnerTheirSavingsLessThePlatformShare) {
  // Plugged in at 12:00 with 11 kW; charged 10 kWh at 14:00-15:00 (0.05) instead of 12:00-13:00 (0.30).
  std::vector<RegisterReading> r = {{at(0), 0, 0}, {at(120), 0, 0}, {at(180), 10000, 0}};
  auto s = settle_session("alice", r, 11.0, hourly({0.30, 0.30, 0.05, 0.30}), {0.2});
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->import_cost, 50);         // 10 kWh x 0.05
  EXPECT_EQ(s->uncontrolled_cost, 300);  // 10 kWh x 0.30 from plug-in
  EXPECT_EQ(s->savings, 250);
  EXPECT_EQ(s->platform_fee, 50);
  EXPECT_EQ(s->owner_earnings, 200);
  EXPECT_EQ(ledger_sum(s->entries), 0);
}

TEST(Settlement, CreditsExportAndAlwaysBalances) {
  std::mt19937 rng(11);
  for (int trial = 0; trial < 300; ++trial) {
    std::vector<double> prices(30);
    for (auto& p : prices) p = std::uniform_real_distribution<double>(-0.05, 0.5)(rng);
    std::vector<RegisterReading> r;
    double imp = 0, exp = 0;
    for (int m = 0; m <= 20 * 60; m += 15) {
      r.push_back({at(m), imp, exp});
      (std::uniform_int_distribution<int>(0, 3)(rng) == 0 ? exp : imp) += std::uniform_real_distribution<double>(0, 2750)(rng);
    }
    auto s = settle_session("o", r, 11.0, hourly(prices), {0.25});
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(ledger_sum(s->entries), 0);
    EXPECT_EQ(s->savings, s->uncontrolled_cost - s->import_cost + s->export_revenue);
    EXPECT_EQ(s->owner_earnings + s->platform_fee, s->savings);
    EXPECT_GE(s->platform_fee, 0);
    Cents interval_import = 0, interval_export = 0;
    for (const auto& iv : s->intervals) {
      interval_import += iv.import_cost;
      interval_export += iv.export_revenue;
      EXPECT_EQ(iv.price_eur_per_kwh, prices[static_cast<std::size_t>((iv.start - at(0)).count() / 3600)]);
    }
    EXPECT_EQ(interval_import, s->import_cost);  // per-interval reports add up to the session
    EXPECT_EQ(interval_export, s->export_revenue);
  }
}

TEST(Settlement, ShortIntervalsAreNotEachRoundedAway) {
  // 1.4 kW for two hours on one-minute prices of 0.10: 0.23 cents a minute, 28 cents in all.
  TimeSeries minutes{at(0), Seconds(60), std::vector<double>(120, 0.10)};
  std::vector<RegisterReading> r = {{at(0), 0, 0}, {at(120), 2800, 0}};
  auto s = settle_session("o", r, 11.0, minutes, {});
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->intervals.size(), 120u);
  EXPECT_EQ(s->import_cost, 28);
  Cents sum = 0;
  for (const auto& iv : s->intervals) sum += iv.import_cost;
  EXPECT_EQ(sum, 28);
}

TEST(Settlement, NamesTheIntervalWithoutAPrice) {
  std::vector<RegisterReading> r = {{at(0), 0, 0}, {at(300), 1000, 0}};
  auto s = settle_session("o", r, 11.0, hourly({0.1, 0.1}), {});
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("2024-06-03T14:00:00Z"), std::string::npos);
}

}  // namespace
}  // namespace voltpool::settle
