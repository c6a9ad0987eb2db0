#include "battery/vehicle.hpp"

#include <gtest/gtest.h>

namespace voltpool {
namespace {

TEST(VehiclePresets, PolestarsAsSpecified) {
  auto p2 = find_preset("polestar-2");
  ASSERT_TRUE(p2);
  EXPECT_EQ(p2->usable_capacity_kwh, 75);
  EXPECT_EQ(p2->ac_charge_max_kw, 11);
  EXPECT_EQ(p2->dc_charge_max_kw, 155);
  EXPECT_FALSE(p2->bidirectional());
  auto p3 = find_preset("polestar-3");
  ASSERT_TRUE(p3);
  EXPECT_EQ(p3->usable_capacity_kwh, 107);
  EXPECT_EQ(p3->dc_charge_max_kw, 250);
  EXPECT_TRUE(p3->bidirectional());
  auto p4 = find_preset("polestar-4");
  ASSERT_TRUE(p4);
  EXPECT_EQ(p4->usable_capacity_kwh, 94);
  EXPECT_EQ(p4->ac_charge_max_kw, 22);
  EXPECT_EQ(p4->dc_charge_max_kw, 200);
  EXPECT_FALSE(find_preset("polestar-9"));
}

}  // namespace
}  // namespace voltpool
