#include "data/smard_prices.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "data/testing.hpp"

namespace voltpool {
namespace {

using namespace std::chrono;
using testing::TempFile;

const std::string kSmard = "data/prices/smard_de_eu_2023_2024/Gro_handelspreise_202301010000_202501010000_Stunde.csv";

TEST(SmardPrices, LoadsTwoYearsOfDeLuAsRegularUtcHours) {
  LoadStats stats;
  auto s = load_smard_prices(testing::shared_path(kSmard), "DE-LU", {}, stats);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(stats.rows_read, 17544u);
  EXPECT_EQ(s->values.size(), 17544u);
  EXPECT_EQ(s->start, sys_days{2022y / 12 / 31} + hours{23});  // 01.01.2023 00:00 CET
  for (double v : s->values) ASSERT_FALSE(std::isnan(v));
  EXPECT_DOUBLE_EQ(*s->at(s->start), -5.17 / 1000);
}

TEST(SmardPrices, AutumnRepeatedHourIsTwoUtcHours) {
  LoadStats stats;
  auto s = load_smard_prices(testing::shared_path(kSmard), "DE-LU", {}, stats);
  ASSERT_TRUE(s.ok());
  // 29.10.2023 02:00 appears twice: 0,01 (CEST, 00:00 UTC) then 0,02 (CET, 01:00 UTC).
  EXPECT_DOUBLE_EQ(*s->at(sys_days{2023y / 10 / 29} + hours{0}), 0.01 / 1000);
  EXPECT_DOUBLE_EQ(*s->at(sys_days{2023y / 10 / 29} + hours{1}), 0.02 / 1000);
  EXPECT_DOUBLE_EQ(*s->at(sys_days{2023y / 10 / 28} + hours{23}), 0.96 / 1000);  // 01:00 CEST
}

TEST(SmardPrices, SpringGapNeedsNoFilling) {
  LoadStats stats;
  auto s = load_smard_prices(testing::shared_path(kSmard), "DE-LU", {}, stats);
  ASSERT_TRUE(s.ok());
  // 26.03.2023 01:00 CET = 00:00 UTC (39,23, the row with SMARD's wrong "Datum bis"); the next row,
  // 03:00 CEST = 01:00 UTC (40,12).
  EXPECT_DOUBLE_EQ(*s->at(sys_days{2023y / 3 / 26} + hours{0}), 39.23 / 1000);
  EXPECT_DOUBLE_EQ(*s->at(sys_days{2023y / 3 / 26} + hours{1}), 40.12 / 1000);
}

TEST(SmardPrices, EveryZoneWithPricesLoads) {
  for (const auto& z : smard_zones()) {
    LoadStats stats;
    auto s = load_smard_prices(testing::shared_path(kSmard), z.code, {}, stats);
    if (z.code == "DE-AT-LU") {
      ASSERT_FALSE(s.ok());  // the zone ended in 2018: every value is '-'
      EXPECT_NE(s.error().message.find(":2: field 'DE/AT/LU"), std::string::npos) << s.error().message;
    } else {
      ASSERT_TRUE(s.ok()) << z.code << ": " << s.error().message;
      EXPECT_EQ(s->values.size(), 17544u) << z.code;
    }
  }
}

const char* kHeader = "Datum von;Datum bis;Deutschland/Luxemburg [\xE2\x82\xAC/MWh] Original\r\n";

TEST(SmardPrices, MalformedPriceNamesFileLineAndField) {
  TempFile f("bad_price.csv", std::string(kHeader) + "01.01.2023 00:00;01.01.2023 01:00;-5,17\r\n" +
                                  "01.01.2023 01:00;01.01.2023 02:00;abc\r\n" +
                                  "01.01.2023 02:00;01.01.2023 03:00;3,00\r\n");
  LoadStats stats;
  auto s = load_smard_prices(f.path(), "DE-LU", {}, stats);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, f.path() + ":3: field 'Deutschland/Luxemburg [\xE2\x82\xAC/MWh] Original': expected a "
                                          "price in EUR/MWh, got 'abc'");
  LoadStats lenient_stats;
  auto l = load_smard_prices(f.path(), "DE-LU", {.lenient = true}, lenient_stats);
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(lenient_stats.rows_skipped, 1u);
  ASSERT_EQ(l->values.size(), 3u);
  EXPECT_TRUE(std::isnan(l->values[1]));  // the skipped hour is a hole, never a made-up number
  EXPECT_DOUBLE_EQ(l->values[2], 0.003);
}

TEST(SmardPrices, OutOfOrderRowIsAnError) {
  TempFile f("order.csv", std::string(kHeader) + "01.01.2023 00:00;x;1,0\r\n01.01.2023 02:00;x;1,0\r\n");
  LoadStats stats;
  auto s = load_smard_prices(f.path(), "DE-LU", {}, stats);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find(":3: field 'Datum von'"), std::string::npos) << s.error().message;
}

TEST(SmardPrices, UnknownZoneListsTheKnownOnes) {
  LoadStats stats;
  auto s = load_smard_prices(testing::shared_path(kSmard), "SE3", {}, stats);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("DE-LU"), std::string::npos);
}

}  // namespace
}  // namespace voltpool
