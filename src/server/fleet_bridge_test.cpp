#include <gtest/gtest.h>

#include <filesystem>

#include "ocpp/csms/context.hpp"
#include "server/fleet_bridge.hpp"
#include "store/sqlite_store.hpp"

namespace voltpool::server {
namespace {

struct RecordingSink : ProfileSink {
  std::vector<std::tuple<std::string, std::string, ocpp::PowerSchedule>> pushed;
  void push_profiles(std::vector<ProfilePush> batch) override {
    for (auto& p : batch) pushed.emplace_back(p.station_id, p.transaction_id, p.schedule);
  }
};

struct Fixture : ::testing::Test {
  std::filesystem::path path = std::filesystem::temp_directory_path() /
                               (std::string("voltpool_bridge_") +
                                ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db");
  std::unique_ptr<store::SqliteStore> store;
  // 2024-06-03 12:00 UTC: prices dear for two hours, then cheap for two, then dear.
  UtcTime noon{std::chrono::seconds(1717416000)};

  void SetUp() override {
    remove();
    store = std::move(store::SqliteStore::open(path.string())).value();
    ASSERT_TRUE(store->put_station({"CS-1", "h", 7.0, "", ""}));
  }
  void TearDown() override {
    store.reset();
    remove();
  }
  void remove() {
    for (auto s : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + s);
  }
  BridgeOptions options() const {
    BridgeOptions o;
    TimeSeries prices;
    prices.start = noon;
    prices.step = Seconds(3600);
    prices.values = {0.30, 0.30, 0.05, 0.05, 0.30, 0.30, 0.30, 0.30};
    o.prices_eur_per_kwh = prices;
    return o;
  }
  ocpp::TransactionStart start(const std::string& id) const {
    ocpp::TransactionStart s;
    s.station_id = "CS-1";
    s.transaction_id = id;
    s.time = noon;
    s.meter_start_wh = 0;
    return s;
  }
};

double power_at(const ocpp::PowerSchedule& s, UtcTime t) {
  double w = 0;
  for (const auto& p : s.periods)
    if (s.start + std::chrono::seconds(p.start_offset_s) <= t) w = p.limit_w;
  return w;
}

TEST_F(Fixture, ChargesTheOwnersNeedAtTheCheapestHours) {
  FleetBridge bridge(*store, options());
  RecordingSink sink;
  bridge.set_sink(&sink);
  bridge.start_transaction(start("T-1"));
  ocpp::ChargingNeeds needs;
  needs.energy_kwh = 14.0;  // two hours at 7 kW
  needs.departure = noon + std::chrono::hours(6);
  bridge.charging_needs("CS-1", 1, needs);
  ASSERT_TRUE(bridge.needs_replan());
  ASSERT_TRUE(bridge.replan(noon));
  ASSERT_EQ(sink.pushed.size(), 1u);
  const auto& schedule = std::get<2>(sink.pushed[0]);
  EXPECT_EQ(power_at(schedule, noon + std::chrono::minutes(30)), 0.0);
  EXPECT_EQ(power_at(schedule, noon + std::chrono::minutes(150)), 7000.0);
  EXPECT_EQ(power_at(schedule, noon + std::chrono::minutes(210)), 7000.0);
  EXPECT_EQ(power_at(schedule, noon + std::chrono::minutes(270)), 0.0);
  EXPECT_EQ(schedule.duration_s, 6 * 3600);
  // nothing changed: nothing is sent again
  ASSERT_TRUE(bridge.replan(noon + std::chrono::minutes(1)));
  EXPECT_EQ(sink.pushed.size(), 1u);
  EXPECT_FALSE(bridge.needs_replan());
}

TEST_F(Fixture, ASiteLimitSharesTheCheapHours) {
  BridgeOptions o = options();
  o.site_limit_kw = 7.0;
  FleetBridge bridge(*store, o);
  RecordingSink sink;
  bridge.set_sink(&sink);
  for (auto id : {"T-1", "T-2"}) {
    bridge.start_transaction(start(id));
  }
  ASSERT_TRUE(bridge.replan(noon));
  ASSERT_EQ(sink.pushed.size(), 2u);
  for (int minute = 0; minute < 8 * 60; minute += 15) {
    UtcTime t = noon + std::chrono::minutes(minute);
    EXPECT_LE(power_at(std::get<2>(sink.pushed[0]), t) + power_at(std::get<2>(sink.pushed[1]), t), 7000.0 + 1e-6);
  }
}

TEST_F(Fixture, AnUnreachableStationsCarsLeaveThePlanAndTheirShareGoesToTheOthers) {
  BridgeOptions o = options();
  o.site_limit_kw = 7.0;
  FleetBridge bridge(*store, o);
  ASSERT_TRUE(store->put_station({"CS-2", "h", 7.0, "", ""}));
  RecordingSink sink;
  bridge.set_sink(&sink);
  bridge.start_transaction(start("T-1"));
  auto other = start("T-2");
  other.station_id = "CS-2";
  bridge.start_transaction(other);
  ocpp::ChargingNeeds urgent;  // both need 7 kWh within the first hour: the 7 kW site can serve one
  urgent.energy_kwh = 7.0;
  urgent.departure = noon + std::chrono::hours(1);
  bridge.charging_needs("CS-1", 1, urgent);
  bridge.charging_needs("CS-2", 1, urgent);
  ASSERT_TRUE(bridge.replan(noon));
  double shared = power_at(*bridge.pushed("CS-1", "T-1"), noon);
  EXPECT_LT(shared, 7000.0);
  bridge.station_disconnected("CS-2");
  EXPECT_TRUE(bridge.needs_replan());
  ASSERT_TRUE(bridge.replan(noon + std::chrono::minutes(1)));
  EXPECT_DOUBLE_EQ(power_at(*bridge.pushed("CS-1", "T-1"), noon + std::chrono::minutes(1)), 7000.0);
  EXPECT_EQ(bridge.sessions().size(), 2u);  // the car at CS-2 is still there, only out of the plan
}

TEST_F(Fixture, OpenSessionsSurviveARestartAndEndedOnesLeave) {
  {
    FleetBridge bridge(*store, options());
    bridge.start_transaction(start("T-1"));
    bridge.start_transaction(start("T-2"));
    std::vector<ocpp::MeterSample> m = {{noon + std::chrono::minutes(30), 3000.0, std::nullopt, 7000.0, std::nullopt}};
    EXPECT_TRUE(bridge.meter_values("CS-1", "T-1", 1, m));
    EXPECT_FALSE(bridge.meter_values("CS-1", "T-404", 1, m));
    for (const auto& s : bridge.sessions())
      if (s.transaction_id == "T-1") {
        EXPECT_DOUBLE_EQ(s.delivered_wh, 3000.0);  // live, before any restart
      }
    EXPECT_TRUE(bridge.stop_transaction({"CS-1", "T-2", noon + std::chrono::hours(1), 0.0, "EVDisconnected"}));
  }
  FleetBridge restarted(*store, options());
  auto sessions = restarted.sessions();
  ASSERT_EQ(sessions.size(), 1u);
  EXPECT_EQ(sessions[0].transaction_id, "T-1");
  EXPECT_DOUBLE_EQ(sessions[0].delivered_wh, 3000.0);
  EXPECT_TRUE(restarted.needs_replan());
}

TEST_F(Fixture, WhatTheEvSaidSurvivesARestart) {
  ocpp::set_service_clock(SimClock(noon + std::chrono::minutes(30), std::chrono::system_clock::now(), 0.0));
  {
    FleetBridge bridge(*store, options());
    bridge.start_transaction(start("T-1"));
    std::vector<ocpp::MeterSample> m = {{noon + std::chrono::minutes(20), 2000.0, std::nullopt, 7000.0, std::nullopt}};
    EXPECT_TRUE(bridge.meter_values("CS-1", "T-1", 1, m));
    ocpp::ChargingNeeds needs;  // said at 12:30, with 2 kWh in: 9 more by 17:00
    needs.energy_kwh = 9.0;
    needs.departure = noon + std::chrono::hours(5);
    needs.max_charge_w = 5000;
    bridge.charging_needs("CS-1", 1, needs);
    m = {{noon + std::chrono::minutes(45), 3000.0, std::nullopt, 5000.0, std::nullopt}};
    EXPECT_TRUE(bridge.meter_values("CS-1", "T-1", 1, m));
  }
  FleetBridge restarted(*store, options());
  ocpp::set_service_clock(SimClock{});
  auto sessions = restarted.sessions();
  ASSERT_EQ(sessions.size(), 1u);
  const SessionState& s = sessions[0];
  EXPECT_EQ(format_utc(s.departure), "2024-06-03T17:00:00Z");
  EXPECT_EQ(s.max_power_kw, 5.0);
  EXPECT_TRUE(s.ev_stated_energy);
  EXPECT_EQ(s.energy_needed_kwh, 9.0);
  EXPECT_DOUBLE_EQ(s.delivered_at_needs_wh, 2000.0);  // the meter when the EV said it
  EXPECT_DOUBLE_EQ(s.delivered_wh, 3000.0);            // so 8 kWh are still to come
}

TEST_F(Fixture, NeedsSaidJustBeforeTheTransactionAreItsOwn) {
  FleetBridge bridge(*store, options());
  ocpp::ChargingNeeds needs;
  needs.energy_kwh = 4.0;
  needs.departure = noon + std::chrono::hours(3);
  ocpp::set_service_clock(SimClock(noon - std::chrono::hours(1), std::chrono::system_clock::now(), 0.0));
  bridge.charging_needs("CS-1", 1, needs);  // an hour before: the car of an earlier session said it
  bridge.start_transaction(start("T-OLD"));
  EXPECT_EQ(bridge.sessions().at(0).energy_needed_kwh, BridgeOptions{}.default_energy_kwh);
  ocpp::set_service_clock(SimClock(noon - std::chrono::minutes(2), std::chrono::system_clock::now(), 0.0));
  bridge.charging_needs("CS-2", 1, needs);  // CS-2: two minutes before its car's transaction starts
  ocpp::set_service_clock(SimClock{});
  auto s2 = start("T-NEW");
  s2.station_id = "CS-2";
  bridge.start_transaction(s2);
  for (const auto& s : bridge.sessions())
    if (s.transaction_id == "T-NEW") {
      EXPECT_EQ(s.energy_needed_kwh, 4.0);
      EXPECT_EQ(format_utc(s.departure), "2024-06-03T15:00:00Z");
    }
}

TEST_F(Fixture, WhatTheEvSaidEndsWithItsSession) {
  FleetBridge bridge(*store, options());
  bridge.start_transaction(start("T-1"));
  ocpp::ChargingNeeds needs;
  needs.energy_kwh = 4.0;
  bridge.charging_needs("CS-1", 1, needs);
  ASSERT_TRUE(bridge.stop_transaction({"CS-1", "T-1", ocpp::utc_now(), 0.0, "EVDisconnected"}));
  bridge.start_transaction(start("T-2"));  // the next car on that connector, minutes later
  EXPECT_EQ(bridge.sessions().at(0).energy_needed_kwh, BridgeOptions{}.default_energy_kwh);
}

TEST_F(Fixture, AV2xCarDischargesAtDearHoursOnlyWithV2g) {
  for (bool v2g : {false, true}) {
    BridgeOptions o = options();
    o.v2g = v2g;
    FleetBridge bridge(*store, o);
    RecordingSink sink;
    bridge.set_sink(&sink);
    std::string tx = v2g ? "V2X-on" : "V2X-off";
    bridge.start_transaction(start(tx));
    ocpp::ChargingNeeds needs;  // as a 2.1 EV says it in NotifyEVChargingNeeds (V2XChargingParameters)
    needs.energy_kwh = 7.0;
    needs.departure = noon + std::chrono::hours(6);
    needs.max_discharge_w = 7000;
    needs.min_energy_kwh = -10.0;  // it may give 10 kWh before its V2X floor
    needs.max_energy_kwh = 30.0;
    bridge.charging_needs("CS-1", 1, needs);
    ASSERT_TRUE(bridge.replan(noon));
    ASSERT_FALSE(sink.pushed.empty());
    const auto& schedule = std::get<2>(sink.pushed.back());
    auto energy_kwh = [&](int from_minute, int to_minute) {
      double kwh = 0;
      for (int m = from_minute; m < to_minute; m += 15) kwh += power_at(schedule, noon + std::chrono::minutes(m)) * 0.25 / 1000;
      return kwh;
    };
    double lowest_w = 0;
    for (int m = 0; m < 6 * 60; m += 15) lowest_w = std::min(lowest_w, power_at(schedule, noon + std::chrono::minutes(m)));
    if (v2g) {
      // 2 cheap hours at 7 kW hold 14 kWh: it sells at 0.30 EUR/kWh (before or after them, the same price) the
      // 7 kWh it can buy back at 0.05.
      EXPECT_NEAR(energy_kwh(0, 120) + energy_kwh(240, 360), -7.0, 0.01);
      EXPECT_GE(lowest_w, -7000.0);
    } else {
      EXPECT_GE(lowest_w, 0.0);
    }
    EXPECT_GT(energy_kwh(120, 240), 0.0);
    // whatever it does, the car leaves with what it asked for (to the rounding of whole watts)
    EXPECT_NEAR(energy_kwh(0, 6 * 60), 7.0, 0.01);
    ASSERT_TRUE(bridge.stop_transaction({"CS-1", tx, noon, 0.0, "Local"}));
  }
}

TEST_F(Fixture, AnOwnersConsentLetsTheirV2xCarDischargeWithoutTheGlobalSwitch) {
  ASSERT_TRUE(store->link_id_token("carol", "CARD-C"));
  store::OwnerPreferences consent;
  consent.v2g_consent = true;
  consent.departure_minute_utc = 18 * 60;  // 18:00, six hours after plugging in at noon
  ASSERT_TRUE(store->put_preferences("carol", consent));
  FleetBridge bridge(*store, options());  // v2g off for everyone
  RecordingSink sink;
  bridge.set_sink(&sink);
  auto tx = start("T-C");
  tx.id_token = "CARD-C";
  bridge.start_transaction(tx);
  ocpp::ChargingNeeds needs;
  needs.energy_kwh = 7.0;
  needs.max_discharge_w = 7000;
  needs.min_energy_kwh = -10.0;
  needs.max_energy_kwh = 30.0;
  bridge.charging_needs("CS-1", 1, needs);
  ASSERT_EQ(format_utc(bridge.sessions().at(0).departure), "2024-06-03T18:00:00Z");
  ASSERT_TRUE(bridge.replan(noon));
  const auto& schedule = std::get<2>(sink.pushed.back());
  double lowest_w = 0;
  for (int m = 0; m < 6 * 60; m += 15) lowest_w = std::min(lowest_w, power_at(schedule, noon + std::chrono::minutes(m)));
  EXPECT_LT(lowest_w, -1000.0);
}

TEST_F(Fixture, ACarbonPriceMovesChargingToCleanHours) {
  for (double eur_per_t : {0.0, 100.0}) {
    BridgeOptions o = options();
    o.prices_eur_per_kwh->values.assign(8, 0.10);  // a flat price: only the carbon signal tells the hours apart
    o.carbon_kg_per_kwh = TimeSeries{noon, Seconds(3600), {0.5, 0.5, 0.5, 0.1, 0.5, 0.5, 0.5, 0.5}};
    o.carbon_price_eur_per_t = eur_per_t;
    FleetBridge bridge(*store, o);
    RecordingSink sink;
    bridge.set_sink(&sink);
    std::string tx = eur_per_t > 0 ? "C-priced" : "C-free";
    bridge.start_transaction(start(tx));
    ocpp::ChargingNeeds needs;
    needs.energy_kwh = 7.0;
    needs.departure = noon + std::chrono::hours(6);
    bridge.charging_needs("CS-1", 1, needs);
    ASSERT_TRUE(bridge.replan(noon));
    const auto& schedule = std::get<2>(sink.pushed.back());
    double clean_hour_kwh = 0;
    for (int m = 180; m < 240; m += 15) clean_hour_kwh += power_at(schedule, noon + std::chrono::minutes(m)) * 0.25 / 1000;
    if (eur_per_t > 0)
      EXPECT_NEAR(clean_hour_kwh, 7.0, 0.01);  // all of it in the 0.1 kg/kWh hour
    else
      EXPECT_NEAR(clean_hour_kwh, 0.0, 0.01);  // without a carbon price: as early as possible
    ASSERT_TRUE(bridge.stop_transaction({"CS-1", tx, noon, 0.0, "Local"}));
  }
}

// Dave's car: a 60 kWh battery at 50 % (30 kWh) plugged in at noon until 18:00; he wants 60 % at departure and
// always keeps 40 % (24 kWh). His EV's own V2X window would let it give 10 kWh; his minimum lets it give 6.
struct OwnerTerms : Fixture {
  void SetUp() override {
    Fixture::SetUp();
    ASSERT_TRUE(store->put_vehicle({"V-D", "dave", "EV-D", "test car", 60.0, 0, 0}));
    ocpp::set_service_clock(SimClock(noon, std::chrono::system_clock::now(), 1.0));
  }
  void TearDown() override {
    ocpp::set_service_clock(SimClock{});
    Fixture::TearDown();
  }
  // The cumulative energy of the pushed schedule at each quarter hour from noon, and its lowest point.
  static std::pair<double, double> energy_and_lowest(const ocpp::PowerSchedule& schedule, UtcTime noon) {
    double kwh = 0, lowest = 0;
    for (int m = 0; m < 6 * 60; m += 15) {
      kwh += power_at(schedule, noon + std::chrono::minutes(m)) * 0.25 / 1000;
      lowest = std::min(lowest, kwh);
    }
    return {kwh, lowest};
  }
  ocpp::PowerSchedule plan_daves_session(const store::OwnerPreferences& prefs) {
    EXPECT_TRUE(store->put_preferences("dave", prefs));
    // After the cheap hours the price is only a little dear: selling there pays less than before them.
    BridgeOptions o = options();
    o.prices_eur_per_kwh->values[4] = o.prices_eur_per_kwh->values[5] = 0.10;
    FleetBridge bridge(*store, o);
    RecordingSink sink;
    bridge.set_sink(&sink);
    auto tx = start("T-D");
    tx.id_token = "EV-D";
    bridge.start_transaction(tx);
    std::vector<ocpp::MeterSample> soc = {{noon, 0.0, 0.0, 0.0, 50.0}};
    EXPECT_TRUE(bridge.meter_values("CS-1", "T-D", 1, soc));
    ocpp::ChargingNeeds needs;  // V2X, no energy of its own: the owner's SoC target counts
    needs.max_discharge_w = 7000;
    needs.min_energy_kwh = -10.0;
    needs.max_energy_kwh = 30.0;
    bridge.charging_needs("CS-1", 1, needs);
    EXPECT_TRUE(bridge.replan(noon));
    EXPECT_FALSE(sink.pushed.empty());
    return sink.pushed.empty() ? ocpp::PowerSchedule{} : std::get<2>(sink.pushed.back());
  }
};

TEST_F(OwnerTerms, TheSocTargetAndTheMinimumKeptShapeThePlan) {
  store::OwnerPreferences p;
  p.v2g_consent = true;
  p.departure_minute_utc = 18 * 60;
  p.target_soc_pct = 60;
  p.min_soc_pct = 40;
  auto [kwh, lowest] = energy_and_lowest(plan_daves_session(p), noon);
  EXPECT_NEAR(kwh, 6.0, 0.01);      // 60 % of 60 kWh from 30 kWh
  EXPECT_NEAR(lowest, -6.0, 0.01);  // it sells at the dearest hours down to 40 %, not further
  p.min_soc_pct.reset();
  auto [kwh_free, lowest_free] = energy_and_lowest(plan_daves_session(p), noon);
  EXPECT_NEAR(kwh_free, 6.0, 0.01);
  EXPECT_NEAR(lowest_free, -10.0, 0.01);  // without it, the EV's own V2X window is the limit
}

TEST_F(OwnerTerms, TheWearBudgetCapsWhatAPlanDischarges) {
  store::OwnerPreferences p;
  p.v2g_consent = true;
  p.departure_minute_utc = 18 * 60;
  p.target_soc_pct = 60;
  // At 0.03 EUR of wear per kWh, a budget accrued over 155 days of 2024 (to June 3) of 2 kWh's wear.
  p.wear_budget_eur = 2.0 * 0.03 * 365.0 / 155.0;
  auto schedule = plan_daves_session(p);
  double discharged_kwh = 0;
  for (int m = 0; m < 6 * 60; m += 15)
    discharged_kwh += std::max(0.0, -power_at(schedule, noon + std::chrono::minutes(m))) * 0.25 / 1000;
  EXPECT_GT(discharged_kwh, 1.5);
  EXPECT_LE(discharged_kwh, 2.0 + 0.01);
  EXPECT_NEAR(energy_and_lowest(schedule, noon).first, 6.0, 0.01);
}

TEST(ProfileIds, AreStableAndPositive) {
  EXPECT_EQ(FleetBridge::profile_id("CS-1", "42"), FleetBridge::profile_id("CS-1", "42"));
  EXPECT_NE(FleetBridge::profile_id("CS-1", "42"), FleetBridge::profile_id("CS-2", "42"));
  EXPECT_GT(FleetBridge::profile_id("x", "y"), 0);
}

}  // namespace
}  // namespace voltpool::server
