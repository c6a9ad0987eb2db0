#include "fleet/session.hpp"

#include <gtest/gtest.h>

namespace voltpool {
namespace {

RecordedSession recorded(double delivered, std::optional<double> requested = std::nullopt) {
  RecordedSession r;
  r.id = "s1";
  r.arrival = UtcTime{std::chrono::hours{1000}};
  r.departure = r.arrival + std::chrono::hours{8};
  r.delivered_kwh = delivered;
  r.requested_kwh = requested;
  r.evse_max_kw = 7;
  return r;
}

TEST(PlugSession, NeedFromRequestInBatteryKwh) {
  VehicleSpec v = *find_preset("polestar-3");
  auto s = to_plug_session(recorded(10, 20), v, OwnerDefaults{});
  EXPECT_NEAR(s.need_kwh(), 20 * v.charge_efficiency, 1e-12);
  EXPECT_NEAR(s.needs.target_energy_kwh, 0.9 * 107, 1e-12);
  EXPECT_EQ(s.charge_max_kw, 7);  // the charge point limits an 11 kW car
  EXPECT_EQ(s.discharge_max_kw, 0);
  EXPECT_EQ(s.needs.est_departure, s.departure);
}

TEST(PlugSession, LargeNeedRaisesTargetAndLowersMinimum) {
  VehicleSpec v = *find_preset("polestar-2");
  auto s = to_plug_session(recorded(200), v, OwnerDefaults{});
  EXPECT_NEAR(s.needs.target_energy_kwh, 75, 1e-12);
  EXPECT_NEAR(s.arrival_energy_kwh, 0, 1e-12);
  EXPECT_NEAR(s.needs.min_energy_kwh, 0, 1e-12);
}

TEST(PlugSession, DischargeOnlyWithConsentAndHardware) {
  OwnerDefaults d;
  d.v2g_consent_share = 1.0;
  EXPECT_GT(to_plug_session(recorded(10), *find_preset("polestar-3"), d).discharge_max_kw, 0);
  EXPECT_EQ(to_plug_session(recorded(10), *find_preset("polestar-2"), d).discharge_max_kw, 0);
  EXPECT_FALSE(to_plug_session(recorded(10), *find_preset("polestar-2"), d).needs.v2g_consent);
}

}  // namespace
}  // namespace voltpool
