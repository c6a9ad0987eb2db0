#include "fleet/redate.hpp"

#include <gtest/gtest.h>

namespace voltpool {
namespace {

using namespace std::chrono;

TEST(Redate, ChoosesSameWeekdayWholeYearsBack) {
  Days first = sys_days{2019y / 5 / 1}, last = sys_days{2019y / 8 / 31};
  Days target = sys_days{2024y / 6 / 3};  // a Monday
  auto d = choose_source_day(first, last, target, 7);
  ASSERT_TRUE(d);
  EXPECT_EQ(weekday{*d}, weekday{target});
  EXPECT_EQ((target - *d).count() % 364, 0);
  EXPECT_GE(*d, first);
  EXPECT_LE(*d + days{6}, last);
}

TEST(Redate, FallsBackToFirstMatchingWeekday) {
  Days first = sys_days{2019y / 5 / 1}, last = sys_days{2019y / 5 / 20};
  Days target = sys_days{2024y / 12 / 2};  // Monday; no 52-week multiple lands in May
  auto d = choose_source_day(first, last, target, 7);
  ASSERT_TRUE(d);
  EXPECT_EQ(*d, sys_days{2019y / 5 / 6});
}

TEST(Redate, KeepsLocalWallClockAcrossZones) {
  // 08:10 PDT on Monday 2019-06-03 becomes 08:10 CEST on Monday 2024-06-03.
  Redating r{america_los_angeles(), europe_berlin(), sys_days{2024y / 6 / 3} - sys_days{2019y / 6 / 3}};
  UtcTime src = sys_days{2019y / 6 / 3} + hours{15} + minutes{10};  // 08:10 PDT
  EXPECT_EQ(r.apply(src), sys_days{2024y / 6 / 3} + hours{6} + minutes{10});
}

TEST(Redate, SeriesFollowsTheSameShift) {
  TimeSeries s{sys_days{2019y / 6 / 3}, hours{1}, {}};
  for (int h = 0; h < 48; ++h) s.values.push_back(h);
  Redating r{utc_zone(), utc_zone(), days{364 * 5}};
  TimeGrid g{sys_days{2019y / 6 / 3} + days{364 * 5} + hours{2}, minutes{30}, 4};
  auto v = redate_series(s, r, g, "carbon");
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ(*v, (std::vector<double>{2, 2, 3, 3}));
}

}  // namespace
}  // namespace voltpool
