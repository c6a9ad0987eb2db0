#include <gtest/gtest.h>

#include <cmath>

#include "core/series.hpp"

namespace voltpool {
namespace {

UtcTime at(int s) { return UtcTime{std::chrono::seconds(1717416000 + s)}; }

TEST(Overlay, TheTopSeriesWinsWhereItHasValuesOnTheFinerStep) {
  TimeSeries hourly{at(0), Seconds(3600), {0.1, 0.2, 0.3}};
  TimeSeries quarter{at(3600 + 900), Seconds(900), {1.0, NAN, 2.0}};
  auto o = overlay(hourly, quarter);
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_EQ(o->step, Seconds(900));
  EXPECT_EQ(o->start, at(0));
  ASSERT_EQ(o->values.size(), 12u);
  EXPECT_EQ(*o->at(at(0)), 0.1);
  EXPECT_EQ(*o->at(at(3600)), 0.2);         // the top starts a quarter later
  EXPECT_EQ(*o->at(at(3600 + 900)), 1.0);
  EXPECT_EQ(*o->at(at(3600 + 1800)), 0.2);  // NaN on top: the base shows through
  EXPECT_EQ(*o->at(at(3600 + 2700)), 2.0);
  EXPECT_EQ(*o->at(at(7200)), 0.3);
}

TEST(Overlay, ExtendsThePastTheBaseAndLeavesGapsUnknown) {
  TimeSeries today{at(0), Seconds(3600), {0.1}};
  TimeSeries tomorrow{at(7200), Seconds(3600), {0.5}};
  auto o = overlay(today, tomorrow);
  ASSERT_TRUE(o);
  ASSERT_EQ(o->values.size(), 3u);
  EXPECT_TRUE(std::isnan(o->values[1]));
  EXPECT_EQ(o->values[2], 0.5);
}

TEST(Overlay, RefusesStepsOrStartsThatDoNotLineUp) {
  EXPECT_FALSE(overlay({at(0), Seconds(3600), {1}}, {at(0), Seconds(700), {1}}));
  EXPECT_FALSE(overlay({at(0), Seconds(3600), {1}}, {at(10), Seconds(900), {1}}));
  EXPECT_TRUE(overlay({}, {at(10), Seconds(900), {1}}));
}

}  // namespace
}  // namespace voltpool
