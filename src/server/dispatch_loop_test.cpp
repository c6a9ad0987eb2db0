#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "ocpp/csms/context.hpp"
#include "server/dispatch_loop.hpp"
#include "store/sqlite_store.hpp"

namespace voltpool::server {
namespace {

struct LatestSink : ProfileSink {
  std::map<std::string, ocpp::PowerSchedule> latest;  // by transaction
  std::size_t profiles = 0;
  void push_profiles(std::vector<ProfilePush> batch) override {
    for (auto& p : batch) latest[p.transaction_id] = p.schedule;
    profiles += batch.size();
  }
  double sum_kw(UtcTime t) const {
    double w = 0;
    for (const auto& [tx, s] : latest) w += scheduled_w(s, t);
    return w / 1000.0;
  }
};

// Three cars of 7 kW plugged in at noon, each wanting 7 kWh by 18:00; prices dear until 14:00, cheap until
// 16:00, then dear: the plan charges them at 14:00-15:00.
struct Dispatch : ::testing::Test {
  std::filesystem::path path = std::filesystem::temp_directory_path() /
                               (std::string("voltpool_dispatch_") +
                                ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db");
  UtcTime noon{std::chrono::seconds(1717416000)};
  std::unique_ptr<store::SqliteStore> store;
  std::unique_ptr<FleetBridge> bridge;
  LatestSink plan_sink, dispatch_sink;
  std::unique_ptr<DispatchLoop> loop;

  void SetUp() override {
    remove();
    ocpp::set_service_clock(SimClock(noon, std::chrono::system_clock::now(), 1.0));
    store = std::move(store::SqliteStore::open(path.string())).value();
    BridgeOptions o;
    TimeSeries prices;
    prices.start = noon;
    prices.step = Seconds(3600);
    prices.values = {0.30, 0.30, 0.05, 0.05, 0.30, 0.30, 0.30, 0.30};
    o.prices_eur_per_kwh = prices;
    bridge = std::make_unique<FleetBridge>(*store, o);
    bridge->set_sink(&plan_sink);
    for (int i = 1; i <= 3; ++i) {
      std::string station = "CS-" + std::to_string(i);
      ASSERT_TRUE(store->put_station({station, "h", 7.0, "", ""}));
      ocpp::TransactionStart s;
      s.station_id = station;
      s.transaction_id = "T-" + std::to_string(i);
      s.time = noon;
      s.meter_start_wh = 0;
      bridge->start_transaction(s);
      ocpp::ChargingNeeds needs;
      needs.energy_kwh = 7.0;
      needs.departure = noon + std::chrono::hours(6);
      bridge->charging_needs(station, 1, needs);
    }
    ASSERT_TRUE(bridge->replan(noon));
    loop = std::make_unique<DispatchLoop>(*bridge, *store);
    loop->set_sink(&dispatch_sink);
  }
  void TearDown() override {
    loop.reset();
    bridge.reset();
    store.reset();
    ocpp::set_service_clock(SimClock{});
    remove();
  }
  void remove() {
    for (auto s : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + s);
  }
  UtcTime at(int minutes, int seconds = 0) const { return noon + std::chrono::minutes(minutes) + std::chrono::seconds(seconds); }
};

TEST_F(Dispatch, ADemandResponseEventMovesTheFleetByItsOffsetThenThePlanResumes) {
  EXPECT_NEAR(plan_sink.sum_kw(at(0)), 0.0, 1e-9);  // dear: the plan waits
  DispatchSignal up;
  up.kind = DispatchSignal::Kind::demand_response;
  up.start = at(0);
  up.end = at(30);
  up.offset_kw = 5.0;  // absorb 5 kW more (e.g. a local surplus)
  ASSERT_TRUE(loop->set_signal(up, at(0)));
  loop->cycle(at(0));
  EXPECT_NEAR(dispatch_sink.sum_kw(at(0)), 5.0, 0.01);
  EXPECT_NEAR(dispatch_sink.sum_kw(at(29)), 5.0, 0.01);  // held to the event's end
  EXPECT_NEAR(dispatch_sink.sum_kw(at(31)), plan_sink.sum_kw(at(31)), 0.01);  // then the plan again
  EXPECT_NEAR(dispatch_sink.sum_kw(at(150)), plan_sink.sum_kw(at(150)), 0.01);
  auto state = loop->state();
  EXPECT_TRUE(state.active);
  EXPECT_EQ(state.cars, 3u);
  EXPECT_NEAR(state.last.setpoint_kw, 5.0, 1e-9);
  EXPECT_NEAR(state.last.assigned_kw, 5.0, 1e-9);
  std::size_t sent = dispatch_sink.profiles;
  loop->cycle(at(0, 2));
  EXPECT_EQ(dispatch_sink.profiles, sent);  // nothing moved: nothing sent
  EXPECT_FALSE(bridge->needs_replan());
  {
    DispatchLoop restarted(*bridge, *store);  // a service restarted mid-event carries on with it
    EXPECT_TRUE(restarted.state().active);
    EXPECT_EQ(restarted.state().signal->offset_kw, 5.0);
    EXPECT_EQ(restarted.state().signal->end, at(30));
  }
  loop->cycle(at(30));  // over
  EXPECT_FALSE(loop->state().active);
  EXPECT_TRUE(bridge->needs_replan());  // the plan's profiles go out again
  EXPECT_FALSE(DispatchLoop(*bridge, *store).state().active);  // and it is no longer stored
}

TEST_F(Dispatch, ARegulationSignalIsFollowedCycleByCycleWithinWhatTheCarsCanDo) {
  DispatchSignal reg;
  reg.start = at(130);  // 14:10, the cars charge at 7 kW each in the plan (21 kW)
  reg.capacity_kw = 4.0;
  reg.signal = {1.0, -1.0, 0.5};
  ASSERT_TRUE(loop->set_signal(reg, at(130)));
  double baseline = plan_sink.sum_kw(at(130));
  ASSERT_NEAR(baseline, 21.0, 0.01);
  loop->cycle(at(130));
  EXPECT_NEAR(loop->state().last.assigned_kw, 21.0, 1e-9);  // +4 asked, the cars are at full power already
  EXPECT_NEAR(loop->state().last.setpoint_kw - loop->state().last.assigned_kw, 4.0, 1e-9);
  loop->cycle(at(130, 2));
  EXPECT_NEAR(dispatch_sink.sum_kw(at(130, 2)), 17.0, 0.01);
  loop->cycle(at(130, 4));
  EXPECT_NEAR(dispatch_sink.sum_kw(at(130, 4)), 21.0, 0.01);  // +2 capped at full power
  EXPECT_NEAR(dispatch_sink.sum_kw(at(131, 10)), plan_sink.sum_kw(at(131, 10)), 0.01);  // the hold expires
  EXPECT_GT(loop->state().error_kw_mean_abs, 0.0);
  loop->cycle(at(130, 6));
  EXPECT_FALSE(loop->state().active);
}

TEST_F(Dispatch, ASteadySetpointIsSentAgainBeforeItsHoldRunsOutAndThePlanWaits) {
  DispatchSignal reg;
  reg.start = at(130);
  reg.capacity_kw = 4.0;
  reg.signal.assign(60, -1.0);  // two minutes of "4 kW less"
  ASSERT_TRUE(loop->set_signal(reg, at(130)));
  loop->cycle(at(130));
  std::size_t first = dispatch_sink.profiles;
  EXPECT_EQ(first, 3u);
  for (int t = 2; t < 30; t += 2) loop->cycle(at(130, t));
  EXPECT_EQ(dispatch_sink.profiles, first);  // nothing moved within half the hold
  loop->cycle(at(130, 30));
  EXPECT_EQ(dispatch_sink.profiles, 2 * first);  // sent again before the 60-s hold lapses
  EXPECT_NEAR(dispatch_sink.sum_kw(at(131, 20)), 17.0, 0.01);
  // Meanwhile the plan changes (new needs) but is not sent over the setpoints; it is sent when dispatch ends.
  std::size_t planned = plan_sink.profiles;
  ocpp::ChargingNeeds needs;
  needs.energy_kwh = 5.0;
  needs.departure = at(6 * 60);
  bridge->charging_needs("CS-1", 1, needs);
  ASSERT_TRUE(bridge->replan(at(130, 31)));
  EXPECT_EQ(plan_sink.profiles, planned);
  ASSERT_TRUE(*loop->clear_signal());
  ASSERT_TRUE(bridge->replan(at(130, 32)));
  EXPECT_EQ(plan_sink.profiles, planned + 3);
}

TEST_F(Dispatch, ASignalForLaterLeavesThePlanInChargeUntilItStarts) {
  DispatchSignal later;
  later.kind = DispatchSignal::Kind::demand_response;
  later.start = at(120);
  later.end = at(150);
  later.offset_kw = -5.0;
  ASSERT_TRUE(loop->set_signal(later, at(0)));
  loop->cycle(at(10));
  EXPECT_EQ(dispatch_sink.profiles, 0u);
  std::size_t planned = plan_sink.profiles;
  ocpp::ChargingNeeds needs;  // the plan changes before the event: it still goes out
  needs.energy_kwh = 5.0;
  needs.departure = at(6 * 60);
  bridge->charging_needs("CS-1", 1, needs);
  ASSERT_TRUE(bridge->replan(at(11)));
  EXPECT_GT(plan_sink.profiles, planned);
  loop->cycle(at(120));  // in force: setpoints, and the plan waits
  EXPECT_EQ(dispatch_sink.profiles, 3u);
  planned = plan_sink.profiles;
  needs.energy_kwh = 6.0;
  bridge->charging_needs("CS-1", 1, needs);
  ASSERT_TRUE(bridge->replan(at(121)));
  EXPECT_EQ(plan_sink.profiles, planned);
}

TEST_F(Dispatch, BadSignalsAreRefusedWithTheFieldAtFault) {
  DispatchSignal reg;
  reg.start = at(0);
  reg.capacity_kw = 0;
  reg.signal = {0.5};
  auto s = loop->set_signal(reg, at(0));
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("capacity_kw"), std::string::npos);
  reg.capacity_kw = 1;
  reg.signal = {0.5, 1.5};
  s = loop->set_signal(reg, at(0));
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("'signal'[1]"), std::string::npos);
  DispatchSignal dr;
  dr.kind = DispatchSignal::Kind::demand_response;
  dr.start = dr.end = at(0);
  EXPECT_FALSE(loop->set_signal(dr, at(0)));
  dr.end = at(10);
  EXPECT_FALSE(loop->set_signal(dr, at(20)));  // over already
  dr.start = at(8 * 24 * 60);
  dr.end = at(8 * 24 * 60 + 30);
  EXPECT_FALSE(loop->set_signal(dr, at(0)));  // more than 7 days ahead
  EXPECT_FALSE(loop->state().active);  // nothing of a bad signal was taken
  EXPECT_FALSE(*loop->clear_signal());
}

}  // namespace
}  // namespace voltpool::server
