#include "battery/battery_model.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace voltpool {
namespace {

TEST(BatteryModel, ChargesWithEfficiency) {
  BatteryLimits l{10, 50, 11, 11, 0.9, 0.9};
  double e = 20;
  auto o = apply_power(l, e, 10, 0.25);
  EXPECT_DOUBLE_EQ(o.grid_kw, 10);
  EXPECT_DOUBLE_EQ(e, 20 + 10 * 0.9 * 0.25);
  EXPECT_NEAR(o.loss_kwh, 0.25, 1e-12);
}

TEST(BatteryModel, StopsExactlyAtCeiling) {
  BatteryLimits l{10, 50, 11, 11, 0.9, 0.9};
  double e = 49;
  auto o = apply_power(l, e, 11, 1.0);
  EXPECT_DOUBLE_EQ(e, 50);
  EXPECT_NEAR(o.grid_kw, 1 / 0.9, 1e-12);
}

TEST(BatteryModel, DischargeNeedsLimitAndStopsAtMinimum) {
  BatteryLimits l{10, 50, 11, 0, 0.9, 0.9};
  double e = 30;
  EXPECT_EQ(apply_power(l, e, -5, 1).grid_kw, 0);  // no V2G
  l.discharge_max_kw = 11;
  e = 11;
  auto o = apply_power(l, e, -11, 1);
  EXPECT_DOUBLE_EQ(e, 10);
  EXPECT_NEAR(o.grid_kw, -0.9, 1e-12);
}

// Property: over many random batteries and requests, energy is conserved to 1e-9 kWh, the energy never
// leaves [e_min, e_max] once inside, and power never exceeds its limits.
TEST(BatteryModel, InvariantsHoldOverRandomCases) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(0, 1);
  for (int c = 0; c < 5000; ++c) {
    BatteryLimits l;
    double cap = 10 + 140 * u(rng);
    l.e_min_kwh = cap * 0.3 * u(rng);
    l.e_max_kwh = l.e_min_kwh + (cap - l.e_min_kwh) * u(rng);
    l.charge_max_kw = 1 + 349 * u(rng);
    l.discharge_max_kw = u(rng) < 0.3 ? 0 : 1 + 49 * u(rng);
    l.charge_efficiency = 0.8 + 0.2 * u(rng);
    l.discharge_efficiency = 0.8 + 0.2 * u(rng);
    double e = l.e_min_kwh + (l.e_max_kwh - l.e_min_kwh) * u(rng);
    for (int s = 0; s < 50; ++s) {
      double req = (u(rng) - 0.5) * 800;
      double dt = u(rng) < 0.2 ? 0.25 * u(rng) : 0.25;
      double before = e;
      auto o = apply_power(l, e, req, dt);
      ASSERT_NEAR(o.grid_energy_kwh, o.stored_delta_kwh + o.loss_kwh, 1e-9);
      ASSERT_NEAR(e - before, o.stored_delta_kwh, 1e-9);
      ASSERT_GE(o.loss_kwh, -1e-9);
      ASSERT_GE(e, l.e_min_kwh - 1e-9);
      ASSERT_LE(e, l.e_max_kwh + 1e-9);
      ASSERT_LE(o.grid_kw, l.charge_max_kw + 1e-9);
      ASSERT_GE(o.grid_kw, -l.discharge_max_kw - 1e-9);
      ASSERT_TRUE(req >= 0 ? o.grid_kw >= 0 && o.grid_kw <= req + 1e-12 : o.grid_kw <= 0 && o.grid_kw >= req);
    }
  }
}

}  // namespace
}  // namespace voltpool
