#include "data/moer_carbon.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "data/testing.hpp"

namespace voltpool {
namespace {

using namespace std::chrono;

TEST(MoerCarbon, FolderOfMonthsIsOneGaplessSeries) {
  LoadStats stats;
  auto s = load_moer_kg_per_kwh(testing::shared_path("data/carbon/caiso_sce_moer_2019"), {}, stats);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->start, sys_days{2019y / 4 / 30});
  EXPECT_EQ(s->step, seconds{300});
  EXPECT_EQ(s->values.size(), 71136u);
  for (double v : s->values) ASSERT_FALSE(std::isnan(v));
  EXPECT_DOUBLE_EQ(s->values[0], 0.227729886264435);
}

TEST(MoerCarbon, MalformedRowNamesField) {
  testing::TempFile f("moer_bad.csv", "time,moer,f1\n2019-04-30 00:00:00+00:00,0.2,0.1\n2019-04-30 00:05:00+00:00,x,0.1\n");
  LoadStats stats;
  auto s = load_moer_kg_per_kwh(f.path(), {}, stats);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, f.path() + ":3: field 'moer': expected a non-negative kg CO2/kWh, got 'x'");
}

}  // namespace
}  // namespace voltpool
