#include "core/timezone.hpp"

#include <gtest/gtest.h>

namespace voltpool {
namespace {

using namespace std::chrono;

LocalTime local(int y, unsigned m, unsigned d, int h, int min = 0) {
  return local_days{year{y} / month{m} / day{d}} + hours{h} + minutes{min};
}
UtcTime utc(int y, unsigned m, unsigned d, int h, int min = 0) {
  return sys_days{year{y} / month{m} / day{d}} + hours{h} + minutes{min};
}

TEST(TimeZone, BerlinWinterAndSummerOffsets) {
  EXPECT_EQ(utc_offset_at(europe_berlin(), utc(2024, 1, 15, 12)), hours{1});
  EXPECT_EQ(utc_offset_at(europe_berlin(), utc(2024, 7, 15, 12)), hours{2});
}

TEST(TimeZone, BerlinSpringForwardSkipsTwoOClock) {
  // 2023-03-26: 02:00 local does not exist.
  EXPECT_FALSE(to_utc(europe_berlin(), local(2023, 3, 26, 2), AmbiguousPick::kEarlier).has_value());
  EXPECT_EQ(*to_utc(europe_berlin(), local(2023, 3, 26, 1), AmbiguousPick::kEarlier), utc(2023, 3, 26, 0));
  EXPECT_EQ(*to_utc(europe_berlin(), local(2023, 3, 26, 3), AmbiguousPick::kEarlier), utc(2023, 3, 26, 1));
}

TEST(TimeZone, BerlinFallBackRepeatsTwoOClock) {
  // 2023-10-29: 02:00 local happens at 00:00 UTC (CEST) and again at 01:00 UTC (CET).
  EXPECT_TRUE(is_ambiguous(europe_berlin(), local(2023, 10, 29, 2)));
  EXPECT_EQ(*to_utc(europe_berlin(), local(2023, 10, 29, 2), AmbiguousPick::kEarlier), utc(2023, 10, 29, 0));
  EXPECT_EQ(*to_utc(europe_berlin(), local(2023, 10, 29, 2), AmbiguousPick::kLater), utc(2023, 10, 29, 1));
  EXPECT_FALSE(is_ambiguous(europe_berlin(), local(2023, 10, 29, 3)));
  EXPECT_EQ(*to_utc(europe_berlin(), local(2023, 10, 29, 3), AmbiguousPick::kEarlier), utc(2023, 10, 29, 2));
}

TEST(TimeZone, LondonFollowsEuRuleFromZero) {
  EXPECT_EQ(utc_offset_at(europe_london(), utc(2018, 3, 25, 0, 59)), hours{0});
  EXPECT_EQ(utc_offset_at(europe_london(), utc(2018, 3, 25, 1, 0)), hours{1});
  EXPECT_EQ(utc_offset_at(europe_london(), utc(2018, 10, 28, 0, 59)), hours{1});
  EXPECT_EQ(utc_offset_at(europe_london(), utc(2018, 10, 28, 1, 0)), hours{0});
}

TEST(TimeZone, LosAngelesUsRule) {
  // 2019-03-10 02:00 PST -> 03:00 PDT (10:00 UTC); 2019-11-03 02:00 PDT -> 01:00 PST (09:00 UTC).
  EXPECT_EQ(utc_offset_at(america_los_angeles(), utc(2019, 3, 10, 9, 59)), hours{-8});
  EXPECT_EQ(utc_offset_at(america_los_angeles(), utc(2019, 3, 10, 10, 0)), hours{-7});
  EXPECT_EQ(utc_offset_at(america_los_angeles(), utc(2019, 11, 3, 8, 59)), hours{-7});
  EXPECT_EQ(utc_offset_at(america_los_angeles(), utc(2019, 11, 3, 9, 0)), hours{-8});
  EXPECT_FALSE(to_utc(america_los_angeles(), local(2019, 3, 10, 2, 30), AmbiguousPick::kEarlier).has_value());
  EXPECT_TRUE(is_ambiguous(america_los_angeles(), local(2019, 11, 3, 1, 30)));
}

TEST(TimeZone, RoundTripEveryHourOfTwoYears) {
  for (const TimeZone& tz : {europe_berlin(), europe_london(), america_los_angeles()}) {
    for (UtcTime t = utc(2023, 1, 1, 0); t < utc(2025, 1, 1, 0); t += hours{1}) {
      LocalTime l = to_local(tz, t);
      AmbiguousPick pick = AmbiguousPick::kEarlier;
      if (is_ambiguous(tz, l) && utc_offset_at(tz, t) == tz.standard_offset) pick = AmbiguousPick::kLater;
      auto back = to_utc(tz, l, pick);
      ASSERT_TRUE(back.has_value()) << tz.name << " " << format_utc(t);
      ASSERT_EQ(*back, t) << tz.name << " " << format_utc(t);
    }
  }
}

}  // namespace
}  // namespace voltpool
