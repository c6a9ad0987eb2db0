#include <gtest/gtest.h>

#include "server/session_state.hpp"
#include "server/session_window.hpp"

namespace voltpool::server {
namespace {

const UtcTime kNoon{std::chrono::seconds(1717416000)};  // 2024-06-03 12:00Z

SessionState plugged_in() {
  SessionState s;
  s.station_id = "CS-1";
  s.started = kNoon;
  s.terms.station_max_kw = 11;
  return s;
}

ocpp::ChargingNeeds v2x_needs(double min_kwh, double max_kwh) {
  ocpp::ChargingNeeds n;
  n.max_discharge_w = 7000;
  n.min_energy_kwh = min_kwh;
  n.max_energy_kwh = max_kwh;
  return n;
}

TEST(SessionTerms, TheEvsWordComesAfterTheOwnersWhicheverChangedLast) {
  SessionState s = plugged_in();
  ocpp::ChargingNeeds n;
  n.energy_kwh = 9;
  n.departure = kNoon + std::chrono::hours(5);
  s.ev = StatedNeeds{n, kNoon + std::chrono::minutes(30), 2000};
  store::OwnerPreferences p;
  p.departure_minute_utc = 18 * 60;
  p.target_energy_kwh = 30;
  s.terms.owner_id = "dave";
  s.terms.preferences = p;  // the owner changes their preferences after the EV spoke
  apply_terms(s, {}, kNoon);
  EXPECT_EQ(format_utc(s.departure), "2024-06-03T17:00:00Z");
  EXPECT_EQ(s.energy_needed_kwh, 9.0);
  EXPECT_EQ(s.delivered_at_needs_wh, 2000.0);  // measured from when the EV said it
  s.ev.reset();
  apply_terms(s, {}, kNoon);
  EXPECT_EQ(format_utc(s.departure), "2024-06-03T18:00:00Z");
  EXPECT_EQ(s.energy_needed_kwh, 30.0);
  EXPECT_EQ(s.owner_id, "dave");
}

TEST(SessionTerms, TheV2xWindowIsMeasuredFromWhenTheEvSaidIt) {
  SessionState s = plugged_in();
  s.v2g_consent = true;
  s.delivered_wh = 10000;  // 10 kWh in when the EV offers to give 10 back
  s.ev = StatedNeeds{v2x_needs(-10, 20), kNoon + std::chrono::hours(1), 10000};
  s.terms.preferences = store::OwnerPreferences{};
  s.terms.preferences->v2g_consent = true;
  apply_terms(s, {}, kNoon);
  auto w = session_window(s, false);
  EXPECT_NEAR(w.floor_kwh, -10.0, 1e-12);  // not -20: the 10 kWh before it said so do not count
  s.delivered_wh = 12000;
  EXPECT_NEAR(session_window(s, false).floor_kwh, -12.0, 1e-12);
}

TEST(SessionTerms, TheVehiclesLimitsCapTheEvsOffer) {
  SessionState s = plugged_in();
  s.terms.vehicle = store::VehicleRecord{"V-1", "dave", "EV-1", "", 60, 7.4, 3.0};
  s.ev = StatedNeeds{v2x_needs(-10, 20), kNoon, 0};
  apply_terms(s, {}, kNoon);
  EXPECT_EQ(s.max_power_kw, 7.4);
  EXPECT_EQ(s.max_discharge_kw, 3.0);
  EXPECT_EQ(s.battery_kwh, 60.0);
}

TEST(SessionTerms, WhatASessionExportsCountsAgainstTheWearAllowance) {
  SessionState s = plugged_in();
  s.v2g_consent = true;
  s.ev = StatedNeeds{v2x_needs(-10, 20), kNoon, 0};
  store::OwnerPreferences p;
  p.v2g_consent = true;
  p.wear_budget_eur = 3.0 * 0.03 * 365.0 / 155.0;  // 3 kWh accrued by June 3
  s.terms.preferences = p;
  apply_terms(s, {20, Seconds(8 * 3600), 0.03}, kNoon);
  EXPECT_NEAR(session_window(s, false).discharge_cap_kwh, 3.0, 1e-9);
  s.exported_wh = 2000;  // then it gives 2 kWh: the next plans may give 1 more
  EXPECT_NEAR(session_window(s, false).discharge_cap_kwh, 1.0, 1e-9);
  apply_terms(s, {20, Seconds(8 * 3600), 0.03}, kNoon);  // terms derived again (new needs): still 1 more
  EXPECT_NEAR(session_window(s, false).discharge_cap_kwh, 1.0, 1e-9);
  s.exported_wh = 3500;
  EXPECT_EQ(session_window(s, false).discharge_max_kw, 0.0);
}

TEST(SessionTerms, TheWeeklyCapBoundsDischargeWithTheWearBudget) {
  SessionState s = plugged_in();
  s.ev = StatedNeeds{v2x_needs(-10, 20), kNoon, 0};
  store::OwnerPreferences p;
  p.v2g_consent = true;
  p.weekly_discharge_cap_kwh = 20;
  s.terms.preferences = p;
  s.terms.owner_exported_this_week_kwh = 16;  // settled this week
  apply_terms(s, {20, Seconds(8 * 3600), 0.03}, kNoon);
  EXPECT_NEAR(session_window(s, false).discharge_cap_kwh, 4.0, 1e-9);
  p.wear_budget_eur = 1.0 * 0.03 * 365.0 / 155.0;  // the year's budget allows only 1 kWh more: the tighter wins
  s.terms.preferences = p;
  apply_terms(s, {20, Seconds(8 * 3600), 0.03}, kNoon);
  EXPECT_NEAR(session_window(s, false).discharge_cap_kwh, 1.0, 1e-9);
  s.terms.owner_exported_this_week_kwh = 25;  // over the cap already
  s.terms.preferences->wear_budget_eur.reset();
  apply_terms(s, {20, Seconds(8 * 3600), 0.03}, kNoon);
  EXPECT_EQ(session_window(s, false).discharge_max_kw, 0.0);
}

}  // namespace
}  // namespace voltpool::server
