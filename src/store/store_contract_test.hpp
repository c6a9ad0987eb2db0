// What every Store implementation must do, as one parameterised test suite: an implementation's test file
// instantiates it with a factory (INSTANTIATE_TEST_SUITE_P(Name, StoreContract, ::testing::Values(factory))).
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

#include "store/store.hpp"

namespace voltpool::store {

struct StoreFactory {
  std::string name;
  std::function<void()> reset;                   // an empty database for the next test
  std::function<std::unique_ptr<Store>()> open;  // a new connection to it (open twice: a restart)
};

inline void PrintTo(const StoreFactory& f, std::ostream* os) { *os << f.name; }

class StoreContract : public ::testing::TestWithParam<StoreFactory> {
 protected:
  void SetUp() override { GetParam().reset(); }
  void TearDown() override { GetParam().reset(); }
  std::unique_ptr<Store> open() {
    auto store = GetParam().open();
    if (!store) throw std::runtime_error("cannot open the " + GetParam().name + " store");
    return store;
  }
  static UtcTime at(int s) { return UtcTime{std::chrono::seconds(1717416000 + s)}; }  // 2024-06-03 12:00Z
};

TEST_P(StoreContract, StationsArePutAndReplaced) {
  auto store = open();
  ASSERT_TRUE(store->put_station({"CS-1", "h1", 11.0, "", ""}));
  ASSERT_TRUE(store->put_station({"CS-1", "h2", 22.0, "", ""}));
  ASSERT_TRUE(store->put_station({"CS-0", "h0", 0.0, "", ""}));
  ASSERT_TRUE(store->record_boot("CS-1", {"ACME", "X", "", ""}, at(0)));
  ASSERT_TRUE(store->record_status("CS-1", 1, 1, "Occupied", at(1)));
  ASSERT_TRUE(store->record_status("CS-1", 1, 1, "Available", at(2)));
  auto s = store->station("CS-1");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->password_hash, "h2");
  EXPECT_EQ(s->max_power_kw, 22.0);
  EXPECT_EQ(s->vendor, "ACME");
  EXPECT_FALSE(store->station("CS-2"));
  auto all = store->stations();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, "CS-0");
  ASSERT_TRUE(store->allow_id_token("TAG-1"));
  ASSERT_TRUE(store->allow_id_token("TAG-1"));
  EXPECT_TRUE(store->id_token_allowed("TAG-1"));
  EXPECT_FALSE(store->id_token_allowed("TAG-2"));
}

TEST_P(StoreContract, TransactionsAndMeterValuesSurviveReopening) {
  std::string id16;
  {
    auto store = open();
    ocpp::TransactionStart start;
    start.station_id = "CS-1";
    start.time = at(0);
    start.meter_start_wh = 100;
    auto a = store->start_transaction(start);  // 1.6: assigned
    auto again = store->start_transaction(start);  // sent again (the answer was lost): the same transaction
    start.time = at(1);
    auto b = store->start_transaction(start);  // a new one a second later
    ASSERT_TRUE(a && again && b);
    EXPECT_EQ(*a, *again);
    EXPECT_NE(*a, *b);
    EXPECT_LT(std::stoll(*a), std::stoll(*b));
    start.time = at(0);
    id16 = *a;
    start.transaction_id = "T-1";  // 2.x: the station's, idempotent
    EXPECT_EQ(*store->start_transaction(start), "T-1");
    EXPECT_EQ(*store->start_transaction(start), "T-1");
    std::vector<ocpp::MeterSample> samples = {{at(900), 1100.0, std::nullopt, 4000.0, 55.0},
                                              {at(1800), 2100.0, std::nullopt, 4000.0, std::nullopt}};
    EXPECT_TRUE(*store->add_meter_values("CS-1", id16, 1, samples));
    EXPECT_FALSE(*store->add_meter_values("CS-2", id16, 1, samples));  // not CS-2's transaction
    EXPECT_TRUE(*store->stop_transaction({"CS-1", "T-1", at(3600), 5000.0, "EVDisconnected"}));
    EXPECT_FALSE(*store->stop_transaction({"CS-9", "T-1", at(3600), 5000.0, "EVDisconnected"}));
  }
  auto store = open();
  auto meter = store->meter_values("CS-1", id16);
  ASSERT_EQ(meter.size(), 2u);
  EXPECT_EQ(store->meter_value_count(), 2u);  // the refused batch for CS-2 stored nothing
  EXPECT_EQ(*meter[0].sample.soc_pct, 55.0);
  EXPECT_EQ(*meter[0].sample.power_w, 4000.0);
  EXPECT_EQ(meter[0].sample.time, at(900));
  EXPECT_FALSE(meter[1].sample.soc_pct);
  EXPECT_FALSE(meter[1].sample.energy_export_wh);
  auto tx = store->transaction("CS-1", id16);
  ASSERT_TRUE(tx);
  EXPECT_EQ(*tx->last_energy_import_wh, 2100.0);
  EXPECT_EQ(*tx->meter_start_wh, 100.0);
  EXPECT_EQ(tx->started, at(0));
  EXPECT_FALSE(tx->stopped);
  auto open_now = store->open_transactions();
  EXPECT_EQ(open_now.size(), 2u);  // the two 1.6 ones; T-1 stopped
  auto t1 = store->transaction("CS-1", "T-1");
  EXPECT_EQ(t1->stop_reason, "EVDisconnected");
  EXPECT_EQ(*t1->stopped, at(3600));
  EXPECT_EQ(*t1->meter_stop_wh, 5000.0);
  auto by_id = store->session(t1->session_id);
  ASSERT_TRUE(by_id);
  EXPECT_EQ(by_id->transaction_id, "T-1");
}

TEST_P(StoreContract, SessionsAreFilteredByOwnerAndTransactionId) {
  auto store = open();
  for (auto [station, tx, token] : {std::tuple{"CS-1", "A", "TAG-A"}, {"CS-2", "B", "TAG-B"}, {"CS-3", "A", "TAG-A"}}) {
    ocpp::TransactionStart start;
    start.station_id = station;
    start.transaction_id = tx;
    start.id_token = token;
    start.time = at(0);
    ASSERT_TRUE(store->start_transaction(start));
  }
  ASSERT_TRUE(store->link_id_token("alice", "TAG-A"));
  EXPECT_EQ(*store->owner_of_id_token("TAG-A"), "alice");
  EXPECT_FALSE(store->owner_of_id_token("TAG-B"));
  EXPECT_EQ(store->sessions(std::nullopt, std::nullopt, 10).size(), 3u);
  EXPECT_EQ(store->sessions(std::nullopt, std::nullopt, 2).size(), 2u);
  auto alices = store->sessions(std::string("alice"), std::nullopt, 10);
  ASSERT_EQ(alices.size(), 2u);
  EXPECT_EQ(alices[0].station_id, "CS-3");  // newest first
  EXPECT_EQ(store->sessions(std::nullopt, std::string("A"), 10).size(), 2u);
  EXPECT_EQ(store->sessions(std::string("alice"), std::string("B"), 10).size(), 0u);
}

TEST_P(StoreContract, TokensAndPreferencesRoundTrip) {
  auto store = open();
  ASSERT_TRUE(store->add_api_token("hash-op", {ApiRole::operator_, ""}));
  ASSERT_TRUE(store->add_api_token("hash-al", {ApiRole::owner, "alice"}));
  EXPECT_FALSE(store->add_api_token("hash-al", {ApiRole::owner, "bob"}));  // a hash is one token
  EXPECT_EQ(store->api_token("hash-op")->role, ApiRole::operator_);
  EXPECT_EQ(store->api_token("hash-al")->owner_id, "alice");
  EXPECT_FALSE(store->api_token("nope"));
  EXPECT_FALSE(store->preferences("alice"));
  OwnerPreferences p;
  p.departure_minute_utc = 450;
  p.target_energy_kwh = 30;
  p.min_energy_kwh = 12.5;
  p.v2g_consent = true;
  p.wear_budget_eur = 40;
  p.target_soc_pct = 80;
  p.min_soc_pct = 20;
  p.weekly_discharge_cap_kwh = 35;
  ASSERT_TRUE(store->put_preferences("alice", p));
  p.target_energy_kwh.reset();
  ASSERT_TRUE(store->put_preferences("alice", p));
  auto back = store->preferences("alice");
  ASSERT_TRUE(back);
  EXPECT_EQ(*back->departure_minute_utc, 450);
  EXPECT_FALSE(back->target_energy_kwh);
  EXPECT_EQ(*back->min_energy_kwh, 12.5);
  EXPECT_TRUE(back->v2g_consent);
  EXPECT_EQ(*back->wear_budget_eur, 40);
  EXPECT_EQ(*back->target_soc_pct, 80);
  EXPECT_EQ(*back->min_soc_pct, 20);
  EXPECT_EQ(*back->weekly_discharge_cap_kwh, 35);
}

TEST_P(StoreContract, AVehicleLinksItsIdTokenToItsOwner) {
  auto store = open();
  ASSERT_TRUE(store->put_vehicle({"V-1", "alice", "EV-TOKEN-1", "Polestar 3", 107, 11, 11}));
  ASSERT_TRUE(store->put_vehicle({"V-2", "bob", "", "Leaf", 39, 6.6, 0}));
  EXPECT_EQ(*store->owner_of_id_token("EV-TOKEN-1"), "alice");
  auto v = store->vehicle_of_id_token("EV-TOKEN-1");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->id, "V-1");
  EXPECT_EQ(v->battery_kwh, 107);
  EXPECT_FALSE(store->vehicle_of_id_token(""));
  ASSERT_TRUE(store->put_vehicle({"V-1", "carol", "EV-TOKEN-1", "Polestar 3", 100, 11, 11}));  // sold to carol
  EXPECT_EQ(*store->owner_of_id_token("EV-TOKEN-1"), "carol");
  EXPECT_EQ(store->vehicle("V-1")->battery_kwh, 100);
  EXPECT_FALSE(store->vehicle("V-3"));
  EXPECT_EQ(store->vehicles(std::nullopt).size(), 2u);
  ASSERT_EQ(store->vehicles(std::string("bob")).size(), 1u);
  EXPECT_EQ(store->vehicles(std::string("bob"))[0].max_charge_kw, 6.6);
  EXPECT_TRUE(store->vehicles(std::string("alice")).empty());
}

TEST_P(StoreContract, ASessionIsSettledOnceWithItsIntervalsAndBalancedEntries) {
  std::int64_t first = 0, second = 0;
  {
    auto store = open();
    for (auto [tx, start_s, stop_s] : {std::tuple{"A", 0, 7200}, {"B", 3600, 10800}, {"C", 0, -1}}) {
      ocpp::TransactionStart start;
      start.station_id = "CS-1";
      start.transaction_id = tx;
      start.time = at(start_s);
      ASSERT_TRUE(store->start_transaction(start));
      if (stop_s >= 0) {
        ASSERT_TRUE(*store->stop_transaction({"CS-1", tx, at(stop_s), 1000.0, "Local"}));
      }
    }
    auto unsettled = store->unsettled_sessions(10);
    ASSERT_EQ(unsettled.size(), 2u);  // C is still open
    first = unsettled[0].session_id;
    second = unsettled[1].session_id;
    EXPECT_EQ(unsettled[0].transaction_id, "A");
    SettlementRecord r;
    r.session_id = first;
    r.owner_id = "alice";
    r.settled_at = at(7300);
    r.settlement.import_kwh = 10;
    r.settlement.import_cost = 123;
    r.settlement.uncontrolled_cost = 200;
    r.settlement.savings = 77;
    r.settlement.platform_fee = 15;
    r.settlement.owner_earnings = 62;
    r.settlement.intervals = {{at(0), 4, 0, 0.1, 40, 0}, {at(3600), 6, 0, 0.1383, 83, 0}};
    r.settlement.entries = {{"owner:alice", -123, "energy imported"}, {"market", 123, "energy imported"},
                            {"owner:alice", -15, "platform share"}, {"platform", 15, "platform share"}};
    EXPECT_TRUE(*store->record_settlement(r));
    EXPECT_FALSE(*store->record_settlement(r));  // once
    r.session_id = second;
    r.owner_id = "bob";
    r.settlement.intervals = {{at(3600), 1, 0.5, 0.2, 20, 10}};
    r.settlement.entries = {{"owner:bob", -20, "energy imported"}, {"market", 20, "energy imported"}};
    EXPECT_TRUE(*store->record_settlement(r));
  }
  auto store = open();
  EXPECT_TRUE(store->unsettled_sessions(10).empty());
  auto alices = store->settlements(std::string("alice"), std::nullopt, std::nullopt);
  ASSERT_EQ(alices.size(), 1u);
  EXPECT_EQ(alices[0].session_id, first);
  EXPECT_EQ(alices[0].settled_at, at(7300));
  EXPECT_EQ(alices[0].settlement.owner_earnings, 62);
  EXPECT_EQ(alices[0].settlement.import_kwh, 10);
  ASSERT_EQ(alices[0].settlement.intervals.size(), 2u);
  EXPECT_EQ(alices[0].settlement.intervals[1].start, at(3600));
  EXPECT_EQ(alices[0].settlement.intervals[1].price_eur_per_kwh, 0.1383);
  EXPECT_EQ(alices[0].settlement.intervals[1].import_cost, 83);
  ASSERT_EQ(alices[0].settlement.entries.size(), 4u);
  EXPECT_EQ(alices[0].settlement.entries[2].memo, "platform share");
  EXPECT_EQ(settle::ledger_sum(alices[0].settlement.entries), 0);
  EXPECT_EQ(store->settlements(std::nullopt, std::nullopt, std::nullopt).size(), 2u);
  // Overlapping [from, to): A is 0-7200, B 3600-10800.
  EXPECT_EQ(store->settlements(std::nullopt, at(7199), std::nullopt).size(), 2u);
  EXPECT_EQ(store->settlements(std::nullopt, at(7200), std::nullopt).size(), 1u);  // A ended as [from, to) began
  EXPECT_EQ(store->settlements(std::nullopt, std::nullopt, at(3600)).size(), 1u);
  auto ledger = store->ledger();
  ASSERT_EQ(ledger.size(), 6u);
  EXPECT_EQ(ledger[0].session_id, first);
  EXPECT_EQ(ledger[0].entry.account, "owner:alice");
  EXPECT_EQ(ledger[5].entry.amount, 20);
  settle::Cents sum = 0;
  for (const auto& e : ledger) sum += e.entry.amount;
  EXPECT_EQ(sum, 0);
}

TEST_P(StoreContract, SignalsAreKeptInTheOrderAccepted) {
  {
    auto store = open();
    EXPECT_TRUE(store->signals("prices").empty());
    ASSERT_TRUE(store->add_signal("prices", {at(0), Seconds(3600), {0.1, -0.05, 0.123456789012345678}}, at(10)));
    ASSERT_TRUE(store->add_signal("carbon", {at(0), Seconds(300), {0.25}}, at(11)));
    ASSERT_TRUE(store->add_signal("prices", {at(3600), Seconds(900), {1e-9, 3.0}}, at(12)));
  }
  auto store = open();
  auto prices = store->signals("prices");
  ASSERT_EQ(prices.size(), 2u);
  EXPECT_EQ(prices[0].start, at(0));
  EXPECT_EQ(prices[0].step, Seconds(3600));
  EXPECT_EQ(prices[0].values, (std::vector<double>{0.1, -0.05, 0.123456789012345678}));  // exactly
  EXPECT_EQ(prices[1].step, Seconds(900));
  EXPECT_EQ(prices[1].values[0], 1e-9);
  ASSERT_EQ(store->signals("carbon").size(), 1u);
  EXPECT_EQ(store->signals("carbon")[0].values[0], 0.25);
}

TEST_P(StoreContract, ValuesAreReplacedWholeAndErased) {
  {
    auto store = open();
    EXPECT_FALSE(store->value("needs/CS-1/1"));
    ASSERT_TRUE(store->put_value("needs/CS-1/1", R"({"energy_kwh":20})"));
    ASSERT_TRUE(store->put_value("needs/CS-1/1", R"({"energy_kwh":"it's 'quoted'"})"));
    ASSERT_TRUE(store->put_value("dispatch", "x"));
    ASSERT_TRUE(store->erase_value("dispatch"));
    ASSERT_TRUE(store->erase_value("never-there"));
  }
  auto store = open();
  EXPECT_EQ(*store->value("needs/CS-1/1"), R"({"energy_kwh":"it's 'quoted'"})");
  EXPECT_FALSE(store->value("dispatch"));
}

}  // namespace voltpool::store
