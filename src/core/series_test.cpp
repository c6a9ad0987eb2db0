#include "core/series.hpp"

#include <gtest/gtest.h>

namespace voltpool {
namespace {

using namespace std::chrono;

TEST(Series, HourlyPriceHoldsOverQuarterHours) {
  TimeSeries s{sys_days{2024y / 1 / 1}, hours{1}, {10.0, 20.0}};
  TimeGrid g{sys_days{2024y / 1 / 1}, minutes{15}, 8};
  auto r = resample_mean(s, g, "prices");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (std::vector<double>{10, 10, 10, 10, 20, 20, 20, 20}));
}

TEST(Series, FiveMinuteValuesAverageOverQuarterHours) {
  TimeSeries s{sys_days{2024y / 1 / 1}, minutes{5}, {1, 2, 3, 4, 5, 6}};
  TimeGrid g{sys_days{2024y / 1 / 1}, minutes{15}, 2};
  auto r = resample_mean(s, g, "carbon");
  ASSERT_TRUE(r.ok());
  EXPECT_DOUBLE_EQ((*r)[0], 2.0);
  EXPECT_DOUBLE_EQ((*r)[1], 5.0);
}

TEST(Series, UncoveredStepIsAnErrorThatNamesIt) {
  TimeSeries s{sys_days{2024y / 1 / 1}, hours{1}, {10.0}};
  TimeGrid g{sys_days{2024y / 1 / 1}, minutes{15}, 5};
  auto r = resample_mean(s, g, "prices");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("grid step 4"), std::string::npos) << r.error().message;
}

TEST(TimeGrid, StepIndexing) {
  TimeGrid g{sys_days{2024y / 1 / 1}, minutes{15}, 96};
  EXPECT_EQ(g.step_containing(g.start + minutes{14}), 0);
  EXPECT_EQ(g.step_containing(g.start + minutes{15}), 1);
  EXPECT_EQ(g.step_containing(g.start - minutes{1}), -1);
  EXPECT_EQ(g.first_step_at_or_after(g.start + minutes{1}), 1);
  EXPECT_EQ(g.first_step_at_or_after(g.start), 0);
  EXPECT_DOUBLE_EQ(g.dt_h(), 0.25);
}

}  // namespace
}  // namespace voltpool
