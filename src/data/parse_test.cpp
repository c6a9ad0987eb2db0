#include "data/parse.hpp"

#include <gtest/gtest.h>

namespace voltpool {
namespace {

using namespace std::chrono;

TEST(Parse, Numbers) {
  EXPECT_EQ(*parse_number("12.5"), 12.5);
  EXPECT_EQ(*parse_number(" -3 "), -3);
  EXPECT_FALSE(parse_number("12.5kWh"));
  EXPECT_FALSE(parse_number(""));
  EXPECT_FALSE(parse_number("nan"));
  EXPECT_EQ(*parse_decimal_comma("-5,17"), -5.17);
  EXPECT_EQ(*parse_decimal_comma("56.012,00"), 56012.0);
  EXPECT_FALSE(parse_decimal_comma("-"));
}

TEST(Parse, IsoWithOffset) {
  auto t = parse_iso_with_offset("2019-05-01 01:18:45-07:00");
  ASSERT_TRUE(t);
  EXPECT_EQ(*t, sys_days{2019y / 5 / 1} + hours{8} + minutes{18} + seconds{45});
  EXPECT_EQ(*parse_iso_with_offset("2019-04-30 00:05:00+00:00"), sys_days{2019y / 4 / 30} + minutes{5});
  EXPECT_FALSE(parse_iso_with_offset("2019-02-30 00:05:00+00:00"));
  EXPECT_FALSE(parse_iso_with_offset("2019-05-01 01:18:45"));
  EXPECT_FALSE(parse_iso_with_offset("yesterday"));
}

TEST(Parse, DayMonthYear) {
  auto t = parse_dmy_hm("06/09/2018", "23:55", '/');
  ASSERT_TRUE(t);
  EXPECT_EQ(*t, local_days{2018y / 9 / 6} + hours{23} + minutes{55});
  EXPECT_TRUE(parse_dmy_hm("01.01.2023", "00:00", '.'));
  EXPECT_FALSE(parse_dmy_hm("31/02/2018", "10:00", '/'));
  EXPECT_FALSE(parse_dmy_hm("01/01/2018", "25:00", '/'));
  EXPECT_FALSE(parse_dmy_hm("2018-01-01", "10:00", '/'));
}

}  // namespace
}  // namespace voltpool
