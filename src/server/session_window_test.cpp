#include <gtest/gtest.h>

#include <cmath>

#include "server/session_window.hpp"

namespace voltpool::server {
namespace {

// A 60 kWh car at 50 % with a V2X EV that offers 7 kW of discharge and a window of -10..+30 kWh.
SessionState v2x_car() {
  SessionState s;
  s.max_power_kw = 11;
  s.energy_needed_kwh = 20;
  s.max_discharge_kw = 7;
  s.min_energy_kwh = -10;
  s.max_energy_kwh = 30;
  s.v2g_consent = true;
  s.battery_kwh = 60;
  s.soc_pct = 50;
  return s;
}

TEST(SessionWindow, AnOwnersSocTargetBecomesEnergyUnlessTheEvSaidItsOwn) {
  SessionState s = v2x_car();
  s.target_soc_pct = 80;
  EXPECT_NEAR(session_window(s, false).need_kwh, 18.0, 1e-12);  // 48 - 30
  s.delivered_wh = 4000;  // charged 4 kWh since the SoC was read
  EXPECT_NEAR(session_window(s, false).need_kwh, 14.0, 1e-12);
  s.ev_stated_energy = true;
  EXPECT_NEAR(session_window(s, false).need_kwh, 16.0, 1e-12);  // the EV's 20 kWh, 4 delivered
  s.soc_pct.reset();
  s.ev_stated_energy = false;
  EXPECT_NEAR(session_window(s, false).need_kwh, 16.0, 1e-12);  // no SoC: the energy target
}

TEST(SessionWindow, TheEnergyKeptBoundsDischargeAndNeedsAKnownSoc) {
  SessionState s = v2x_car();
  EXPECT_NEAR(session_window(s, false).floor_kwh, -10.0, 1e-12);  // the EV's own window
  s.keep_energy_kwh = 24;                                          // 40 %
  auto w = session_window(s, false);
  EXPECT_NEAR(w.floor_kwh, -6.0, 1e-12);
  EXPECT_NEAR(w.ceiling_kwh, 30.0, 1e-12);
  EXPECT_EQ(w.discharge_max_kw, 7.0);
  s.keep_energy_kwh = 35;  // above what it holds: it may not discharge below now
  EXPECT_NEAR(session_window(s, false).floor_kwh, 0.0, 1e-12);
  s.soc_pct.reset();  // a minimum it cannot check: no discharge at all
  EXPECT_EQ(session_window(s, false).discharge_max_kw, 0.0);
  s.keep_energy_kwh.reset();
  s.v2g_consent = false;
  EXPECT_EQ(session_window(s, false).discharge_max_kw, 0.0);
  EXPECT_EQ(session_window(s, true).discharge_max_kw, 7.0);  // the service-wide switch consents for everyone
}

TEST(SessionWindow, TheBatteryBoundsTheWindow) {
  SessionState s = v2x_car();
  s.soc_pct = 90;  // 54 kWh: 6 kWh of room, 54 to give
  s.min_energy_kwh = -80;
  auto w = session_window(s, false);
  EXPECT_NEAR(w.need_kwh, 6.0, 1e-12);  // 20 kWh asked, 6 kWh of room: a full battery takes no more
  EXPECT_NEAR(w.ceiling_kwh, 6.0, 1e-12);
  EXPECT_NEAR(w.floor_kwh, -54.0, 1e-12);
  s.energy_needed_kwh = 2;
  EXPECT_NEAR(session_window(s, false).need_kwh, 2.0, 1e-12);
  EXPECT_NEAR(session_window(s, false).ceiling_kwh, 6.0, 1e-12);  // V2X may fill the room
}

TEST(SessionWindow, TheWearBudgetAccruesOverTheYear) {
  EXPECT_NEAR(discharge_allowance_kwh(36.5, 0.03, 0, 0), 36.5 / 365 / 0.03, 1e-9);  // the first day's share
  EXPECT_NEAR(discharge_allowance_kwh(36.5, 0.03, 0, 364), 36.5 / 0.03, 1e-9);
  EXPECT_NEAR(discharge_allowance_kwh(36.5, 0.03, 100, 364), 36.5 / 0.03 - 100, 1e-9);
  EXPECT_EQ(discharge_allowance_kwh(36.5, 0.03, 5000, 364), 0.0);
  EXPECT_TRUE(std::isinf(discharge_allowance_kwh(36.5, 0.0, 0, 10)));  // wear costs nothing: no cap
  SessionState s = v2x_car();
  s.discharge_allowance_kwh = 2.5;
  EXPECT_EQ(session_window(s, false).discharge_cap_kwh, 2.5);
  s.discharge_allowance_kwh = 0;
  EXPECT_EQ(session_window(s, false).discharge_max_kw, 0.0);
}

}  // namespace
}  // namespace voltpool::server
