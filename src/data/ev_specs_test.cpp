#include "data/ev_specs.hpp"

#include <gtest/gtest.h>

#include "data/testing.hpp"

namespace voltpool {
namespace {

TEST(EvSpecs, LoadsAll293Models) {
  auto specs = load_open_ev_data(testing::shared_path("data/ev_specs/open-ev-data_ev-data.json"));
  ASSERT_TRUE(specs.ok()) << specs.error().message;
  EXPECT_EQ(specs->size(), 293u);
  bool found = false;
  for (const auto& s : *specs) {
    EXPECT_GT(s.usable_capacity_kwh, 0);
    EXPECT_GT(s.ac_charge_max_kw, 0);
    if (s.id == "aiways-u5-2021") {
      found = true;
      EXPECT_DOUBLE_EQ(s.usable_capacity_kwh, 63.0);
      EXPECT_DOUBLE_EQ(s.ac_charge_max_kw, 6.6);
      EXPECT_DOUBLE_EQ(s.dc_charge_max_kw, 95.0);
    }
  }
  EXPECT_TRUE(found);
}

TEST(EvSpecs, MissingFieldIsNamed) {
  testing::TempFile f("specs_bad.json", R"({"data": [{"brand": "X", "model": "Y", "ac_charger": {"max_power": 7}}]})");
  auto specs = load_open_ev_data(f.path());
  ASSERT_FALSE(specs.ok());
  EXPECT_NE(specs.error().message.find("data[0]: field 'usable_battery_size'"), std::string::npos);
}

}  // namespace
}  // namespace voltpool
