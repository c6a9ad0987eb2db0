#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "ocpp/csms/context.hpp"
#include "server/auth.hpp"
#include "server/api_json.hpp"
#include "server/http_api.hpp"
#include "store/sqlite_store.hpp"

namespace voltpool::server {
namespace {

using nlohmann::json;

struct FakeRemote : RemoteControl {
  std::vector<std::string> stopped, started;
  bool connected = true;
  bool remote_stop(const std::string& station, const std::string& tx) override {
    if (!connected) return false;
    stopped.push_back(station + "/" + tx);
    return true;
  }
  bool remote_start(const std::string& station, int evse, const std::string& token) override {
    if (!connected) return false;
    started.push_back(station + "/" + std::to_string(evse) + "/" + token);
    return true;
  }
};

struct Api : ::testing::Test {
  std::filesystem::path path = std::filesystem::temp_directory_path() /
                               (std::string("voltpool_api_") +
                                ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db");
  std::unique_ptr<store::SqliteStore> store;
  std::unique_ptr<FleetBridge> bridge;
  std::unique_ptr<SessionSettler> settler;
  std::unique_ptr<DispatchLoop> dispatch;
  std::unique_ptr<SignalBook> signals;
  FakeRemote remote;
  std::unique_ptr<HttpApi> api;
  std::int64_t alice_session = 0, bob_session = 0;

  void SetUp() override {
    for (auto s : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + s);
    store = std::move(store::SqliteStore::open(path.string())).value();
    ASSERT_TRUE(store->put_station({"CS-1", "h", 11.0, "", ""}));
    ASSERT_TRUE(store->add_api_token(sha256_hex("op-token"), {store::ApiRole::operator_, ""}));
    ASSERT_TRUE(store->add_api_token(sha256_hex("alice-token"), {store::ApiRole::owner, "alice"}));
    ASSERT_TRUE(store->add_api_token(sha256_hex("bob-token"), {store::ApiRole::owner, "bob"}));
    ASSERT_TRUE(store->link_id_token("alice", "CARD-A"));
    ASSERT_TRUE(store->link_id_token("bob", "CARD-B"));
    bridge = std::make_unique<FleetBridge>(*store, BridgeOptions{});
    settler = std::make_unique<SessionSettler>(*store, settle::SettlementTerms{0.2}, 11.0);
    dispatch = std::make_unique<DispatchLoop>(*bridge, *store);
    signals = std::make_unique<SignalBook>(*store, *bridge);
    api = std::make_unique<HttpApi>(ApiServices{*store, *bridge, *settler, *signals, *dispatch, &remote},
                                    [] { return std::string("voltpool_connections 3\n"); });
    UtcTime t{std::chrono::seconds(1717416000)};
    ocpp::set_service_clock(SimClock(t, std::chrono::system_clock::now(), 1.0));  // the service lives at t
    for (auto [tx, card] : {std::pair{"T-A", "CARD-A"}, {"T-B", "CARD-B"}}) {
      ocpp::TransactionStart s;
      s.station_id = "CS-1";
      s.transaction_id = tx;
      s.id_token = card;
      s.time = t;
      s.meter_start_wh = 0;
      bridge->start_transaction(s);
    }
    std::vector<ocpp::MeterSample> m = {{t + std::chrono::minutes(15), 2500.0, std::nullopt, 10000.0, 40.0}};
    ASSERT_TRUE(bridge->meter_values("CS-1", "T-A", 1, m));
    alice_session = store->transaction("CS-1", "T-A")->session_id;
    bob_session = store->transaction("CS-1", "T-B")->session_id;
  }
  void TearDown() override {
    ocpp::set_service_clock(SimClock{});
    api.reset();
    settler.reset();
    signals.reset();
    dispatch.reset();
    bridge.reset();
    store.reset();
    for (auto s : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + s);
  }
  HttpResponse call(const std::string& method, const std::string& target, const std::string& token,
                    const std::string& body = "") {
    return api->handle({method, target, token.empty() ? "" : "Bearer " + token, body});
  }
};

TEST_F(Api, OpenApiDocumentsExactlyTheRoutesServed) {
  std::ifstream in(VOLTPOOL_OPENAPI_FILE);
  json doc = json::parse(in);
  EXPECT_EQ(json::parse(HttpApi::openapi_json()), doc);  // the served copy is the file
  ASSERT_TRUE(doc["openapi"].get<std::string>().rfind("3.", 0) == 0);
  std::set<std::pair<std::string, std::string>> documented, served;
  for (auto& [path, item] : doc["paths"].items())
    for (auto& [method, operation] : item.items()) {
      std::string upper = method;
      for (auto& c : upper) c = static_cast<char>(std::toupper(c));
      documented.insert({upper, path});
      EXPECT_TRUE(operation.contains("responses")) << method << " " << path;
    }
  for (const auto& r : HttpApi::routes()) served.insert({r.method, r.path});
  EXPECT_EQ(documented, served);
  // every $ref resolves
  std::function<void(const json&)> refs = [&](const json& j) {
    if (j.is_object()) {
      if (j.contains("$ref")) {
        std::string ref = j["$ref"];
        ASSERT_EQ(ref.rfind("#/", 0), 0u);
        EXPECT_NO_THROW(doc.at(json::json_pointer(ref.substr(1)))) << ref;
      }
      for (auto& [k, v] : j.items()) refs(v);
    } else if (j.is_array()) {
      for (auto& v : j) refs(v);
    }
  };
  refs(doc);
}

TEST_F(Api, TokensAreRequiredUnderApi) {
  EXPECT_EQ(call("GET", "/api/sessions", "").status, 401);
  EXPECT_EQ(call("GET", "/api/sessions", "forged").status, 401);
  EXPECT_EQ(call("GET", "/healthz", "").status, 200);
  auto metrics = call("GET", "/metrics", "");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("voltpool_connections 3"), std::string::npos);
  EXPECT_NE(metrics.body.find("voltpool_meter_values_stored 1"), std::string::npos);
  EXPECT_NE(metrics.body.find("voltpool_open_sessions 2"), std::string::npos);
}

TEST_F(Api, OperatorsSeeSessionsMeterValuesAndThePlan) {
  auto stations = json::parse(call("GET", "/api/stations", "op-token").body);
  ASSERT_EQ(stations.size(), 1u);
  EXPECT_EQ(stations[0]["id"], "CS-1");
  auto sessions = json::parse(call("GET", "/api/sessions", "op-token").body);
  EXPECT_EQ(sessions.size(), 2u);
  auto one = json::parse(call("GET", "/api/sessions?transaction_id=T-A", "op-token").body);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0]["energy_wh"], 2500.0);
  auto meter = json::parse(call("GET", "/api/sessions/" + std::to_string(alice_session) + "/meter-values", "op-token").body);
  ASSERT_EQ(meter.size(), 1u);
  EXPECT_EQ(meter[0]["soc_pct"], 40.0);
  auto plan = json::parse(call("GET", "/api/plan", "op-token").body);
  EXPECT_EQ(plan["sessions"].size(), 2u);
  auto flex = json::parse(call("GET", "/api/fleet/flexibility", "op-token").body);
  EXPECT_EQ(flex["vehicles"], 2);
  ASSERT_EQ(flex["steps"].size(), 96u);
  EXPECT_EQ(flex["step_s"], 900);
  // two charge-only cars still needing energy: they can draw up to 2 x 11 kW now, and never deliver
  EXPECT_NEAR(flex["steps"][1]["up_kw"].get<double>(), 22.0, 1e-9);
  EXPECT_GE(flex["steps"][1]["down_kw"].get<double>(), 0.0);
  EXPECT_EQ(call("GET", "/api/fleet/flexibility", "alice-token").status, 403);
  EXPECT_EQ(call("GET", "/api/sessions/99999", "op-token").status, 404);
  EXPECT_EQ(call("GET", "/api/sessions/abc", "op-token").status, 404);
  EXPECT_EQ(call("DELETE", "/api/sessions", "op-token").status, 405);
}

TEST_F(Api, OwnersSeeOnlyTheirOwn) {
  auto mine = json::parse(call("GET", "/api/sessions", "alice-token").body);
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0]["transaction_id"], "T-A");
  EXPECT_EQ(call("GET", "/api/sessions/" + std::to_string(alice_session), "alice-token").status, 200);
  EXPECT_EQ(call("GET", "/api/sessions/" + std::to_string(bob_session), "alice-token").status, 404);
  EXPECT_EQ(call("GET", "/api/sessions/" + std::to_string(bob_session) + "/meter-values", "alice-token").status, 404);
  EXPECT_EQ(call("GET", "/api/sessions?transaction_id=T-B", "alice-token").body, "[]");
  EXPECT_EQ(call("GET", "/api/stations", "alice-token").status, 403);
  EXPECT_EQ(call("GET", "/api/plan", "alice-token").status, 403);
  EXPECT_EQ(call("POST", "/api/sessions/" + std::to_string(alice_session) + "/stop", "alice-token").status, 403);
}

TEST_F(Api, PricesArePostedValidatedAndUsed) {
  EXPECT_EQ(call("GET", "/api/prices", "op-token").status, 404);
  auto bad = call("POST", "/api/prices", "op-token", R"({"start":"2024-06-03T00:00:00Z","step_s":3600,"eur_per_kwh":[0.1,"x"]})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("'eur_per_kwh'[1]"), std::string::npos);
  EXPECT_EQ(call("POST", "/api/prices", "op-token", "{").status, 400);
  EXPECT_EQ(call("POST", "/api/prices", "op-token", R"({"start":"yesterday","step_s":3600,"eur_per_kwh":[1]})").status, 400);
  EXPECT_EQ(call("GET", "/api/prices", "op-token").status, 404);  // nothing of a bad request was taken
  auto ok = call("POST", "/api/prices", "op-token", R"({"start":"2024-06-03T00:00:00Z","step_s":3600,"eur_per_kwh":[0.1,0.2]})");
  EXPECT_EQ(ok.status, 200);
  EXPECT_TRUE(bridge->needs_replan());
  auto got = json::parse(call("GET", "/api/prices", "op-token").body);
  EXPECT_EQ(got["eur_per_kwh"], json::array({0.1, 0.2}));
  EXPECT_EQ(call("POST", "/api/prices", "alice-token", "{}").status, 403);
  // A later series lays over the earlier on the finer step; one that does not line up is refused.
  ASSERT_EQ(call("POST", "/api/prices", "op-token", R"({"start":"2024-06-03T01:00:00Z","step_s":900,"eur_per_kwh":[0.5]})").status, 200);
  auto laid = json::parse(call("GET", "/api/prices", "op-token").body);
  EXPECT_EQ(laid["step_s"], 900);
  EXPECT_EQ(laid["eur_per_kwh"], json::array({0.1, 0.1, 0.1, 0.1, 0.5, 0.2, 0.2, 0.2}));
  EXPECT_EQ(call("POST", "/api/prices", "op-token", R"({"start":"2024-06-03T01:00:00Z","step_s":700,"eur_per_kwh":[0.5]})").status, 400);
  EXPECT_EQ(call("POST", "/api/prices", "op-token", R"({"start":"2024-06-03T01:10:00Z","step_s":900,"eur_per_kwh":[0.5]})").status, 400);
  EXPECT_EQ(call("POST", "/api/prices", "op-token", R"({"start":"2024-06-03T01:00:00Z","step_s":900,"eur_per_kwh":[0.5],"zone":"DE"})").status, 400);
  // What was accepted is stored: a restarted service (a new book on the same store) plans with it.
  FleetBridge restarted(*store, BridgeOptions{});
  SignalBook book(*store, restarted);
  ASSERT_TRUE(restarted.prices());
  EXPECT_EQ(restarted.prices()->values, laid["eur_per_kwh"].get<std::vector<double>>());
}

TEST(PlannedTotals, IntegrateTheScheduleFromNowAtThePricesAndTheCarbonSignal) {
  UtcTime noon{std::chrono::seconds(1717416000)};
  ocpp::PowerSchedule s{noon, {{0, 7000.0}, {3600, -2000.0}}, 7200};  // 7 kW for an hour, then -2 kW
  TimeSeries prices{noon, Seconds(3600), {0.10, 0.30}};
  TimeSeries carbon{noon, Seconds(1800), {0.4, 0.2, 0.3, NAN}};
  auto t = planned_totals(s, noon + std::chrono::minutes(30), prices, carbon);
  EXPECT_NEAR(t.energy_kwh, 3.5 - 2.0, 1e-12);
  EXPECT_NEAR(t.cost_eur, 3.5 * 0.10 - 2.0 * 0.30, 1e-12);
  EXPECT_NEAR(t.co2_kg, 3.5 * 0.2 - 1.0 * 0.3, 1e-12);  // the last half hour has no value: 0
}

TEST_F(Api, TheCarbonSignalIsPostedStoredAndShown) {
  EXPECT_EQ(call("GET", "/api/carbon", "op-token").status, 404);
  auto bad = call("POST", "/api/carbon", "op-token", R"({"start":"2024-06-03T00:00:00Z","step_s":300,"kg_per_kwh":[0.3,99]})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("'kg_per_kwh'[1]"), std::string::npos);
  EXPECT_EQ(call("POST", "/api/carbon", "op-token", R"({"start":"2024-06-03T00:00:00Z","step_s":300,"eur_per_kwh":[0.3]})").status, 400);
  ASSERT_EQ(call("POST", "/api/carbon", "op-token", R"({"start":"2024-06-03T00:00:00Z","step_s":300,"kg_per_kwh":[0.3,0.25]})").status, 200);
  auto got = json::parse(call("GET", "/api/carbon", "alice-token").body);
  EXPECT_EQ(got["kg_per_kwh"], json::array({0.3, 0.25}));
  EXPECT_EQ(got["carbon_price_eur_per_t"], 0.0);
  EXPECT_EQ(call("POST", "/api/carbon", "alice-token", "{}").status, 403);
  EXPECT_EQ(store->signals("carbon").size(), 1u);
}

TEST_F(Api, OwnersEarnTheirSavingsInABalancedLedger) {
  // Alice's car: plugged in at noon (meter 0), 2.5 kWh by 12:15, unplugged at 13:30 with 5 kWh; bob's at 13:00.
  UtcTime noon{std::chrono::seconds(1717416000)};
  ASSERT_TRUE(bridge->stop_transaction({"CS-1", "T-A", noon + std::chrono::minutes(90), 5000.0, "EVDisconnected"}));
  ASSERT_TRUE(bridge->stop_transaction({"CS-1", "T-B", noon + std::chrono::minutes(60), 0.0, "EVDisconnected"}));
  EXPECT_EQ(settler->settle_pending(bridge->prices(), noon), 0u);  // no prices yet: pending, with the reason
  auto waiting = json::parse(call("GET", "/api/owners/alice/earnings", "alice-token").body);
  ASSERT_EQ(waiting["unsettled"].size(), 1u);
  EXPECT_EQ(waiting["unsettled"][0]["reason"], "no prices loaded");
  ASSERT_EQ(call("POST", "/api/prices", "op-token", R"({"start":"2024-06-03T12:00:00Z","step_s":3600,"eur_per_kwh":[0.30,0.05]})").status, 200);
  EXPECT_EQ(settler->settle_pending(bridge->prices(), noon + std::chrono::hours(2)), 2u);
  EXPECT_EQ(settler->settle_pending(bridge->prices(), noon + std::chrono::hours(2)), 0u);  // once
  auto mine = call("GET", "/api/owners/alice/earnings", "alice-token");
  ASSERT_EQ(mine.status, 200);
  auto e = json::parse(mine.body);
  ASSERT_EQ(e["sessions"].size(), 1u);
  EXPECT_TRUE(e["unsettled"].empty());
  EXPECT_NEAR(e["sessions"][0]["import_kwh"].get<double>(), 5.0, 1e-9);
  // 12:00-12:15 2.5 kWh, 12:15-13:30 2.5 kWh linearly: 2.5 + 1.5 at 0.30, 1.0 at 0.05 = 125 cents.
  EXPECT_EQ(e["totals"]["import_cost_cents"], 125);
  EXPECT_EQ(e["totals"]["uncontrolled_cost_cents"], 150);  // 5 kWh at 11 kW from noon: all at 0.30
  EXPECT_EQ(e["totals"]["savings_cents"], 25);
  EXPECT_EQ(e["totals"]["platform_fee_cents"], 5);
  EXPECT_EQ(e["totals"]["owner_earnings_cents"], 20);
  ASSERT_EQ(e["intervals"].size(), 2u);
  EXPECT_EQ(e["intervals"][0]["start"], "2024-06-03T12:00:00Z");
  EXPECT_EQ(e["intervals"][0]["import_cost_cents"], 120);
  EXPECT_EQ(e["intervals"][1]["import_cost_cents"], 5);
  EXPECT_EQ(e["ledger_sum_cents"], 0);
  auto day = json::parse(call("GET", "/api/owners/alice/earnings?interval=day", "alice-token").body);
  ASSERT_EQ(day["intervals"].size(), 1u);
  EXPECT_EQ(day["intervals"][0]["import_cost_cents"], 125);
  auto later = json::parse(call("GET", "/api/owners/alice/earnings?from=2024-06-03T13:00:00Z", "alice-token").body);
  ASSERT_EQ(later["intervals"].size(), 1u);  // the session overlaps; only the 13:00 interval is in range
  EXPECT_EQ(call("GET", "/api/owners/alice/earnings?interval=week", "alice-token").status, 400);
  EXPECT_EQ(call("GET", "/api/owners/alice/earnings?from=noon", "alice-token").status, 400);
  EXPECT_EQ(call("GET", "/api/owners/bob/earnings", "alice-token").status, 404);
  EXPECT_EQ(call("GET", "/api/owners/alice/earnings", "op-token").status, 200);
  // The operator's ledger: every account, summing to zero; owners may not see it.
  auto ledger = json::parse(call("GET", "/api/ledger", "op-token").body);
  EXPECT_EQ(ledger["sum_cents"], 0);
  std::map<std::string, std::int64_t> balance;
  for (const auto& a : ledger["accounts"]) balance[a["account"]] = a["balance_cents"];
  EXPECT_EQ(balance["owner:alice"], -130);  // paid 125 for energy, 5 to the platform
  EXPECT_EQ(balance["platform"], 5);
  EXPECT_EQ(call("GET", "/api/ledger", "alice-token").status, 403);
}

TEST_F(Api, ExportCountsFromTheRegistersFirstReading) {
  // A bidirectional meter's export register is a lifetime total: 1,234 kWh before this session.
  UtcTime noon{std::chrono::seconds(1717416000)};
  std::vector<ocpp::MeterSample> m = {{noon + std::chrono::minutes(30), 2600.0, 1234000.0, -5000.0, std::nullopt},
                                      {noon + std::chrono::minutes(45), std::nullopt, 1236000.0, -5000.0, std::nullopt}};
  ASSERT_TRUE(bridge->meter_values("CS-1", "T-A", 1, m));
  auto t = store->transaction("CS-1", "T-A");
  auto readings = session_readings(*store, *t);
  ASSERT_EQ(readings.size(), 4u);  // start, the sample of 12:15, the two of this test
  EXPECT_EQ(readings.front().export_wh, 1234000.0);
  EXPECT_EQ(readings.back().export_wh - readings.front().export_wh, 2000.0);  // 2 kWh given in this session
  EXPECT_EQ(readings.back().import_wh, 2600.0);  // an export-only sample keeps the import register
  // Settled, the export is what the owner's guardrails report as spent.
  ASSERT_EQ(call("PUT", "/api/owners/alice/preferences", "alice-token",
                 R"({"v2g_consent":true,"wear_budget_eur":30,"weekly_discharge_cap_kwh":10})").status, 200);
  ASSERT_EQ(call("POST", "/api/prices", "op-token", R"({"start":"2024-06-03T12:00:00Z","step_s":3600,"eur_per_kwh":[0.30,0.05]})").status, 200);
  ASSERT_TRUE(bridge->stop_transaction({"CS-1", "T-A", noon + std::chrono::minutes(50), 2600.0, "EVDisconnected"}));
  settler->settle_pending(bridge->prices(), noon + std::chrono::hours(1));
  auto e = json::parse(call("GET", "/api/owners/alice/earnings", "alice-token").body);
  EXPECT_NEAR(e["totals"]["export_kwh"].get<double>(), 2.0, 1e-9);
  EXPECT_NEAR(e["guardrails"]["discharged_this_week_kwh"].get<double>(), 2.0, 1e-9);
  EXPECT_NEAR(e["guardrails"]["discharged_this_year_kwh"].get<double>(), 2.0, 1e-9);
  EXPECT_NEAR(e["guardrails"]["wear_this_year_eur"].get<double>(), 2.0 * BridgeOptions{}.wear_eur_per_kwh, 1e-12);
  EXPECT_EQ(e["guardrails"]["weekly_discharge_cap_kwh"], 10.0);
}

TEST_F(Api, VehiclesBelongToTheirOwners) {
  auto bad = call("PUT", "/api/vehicles/V-1", "op-token", R"({"battery_kwh":-1,"owner_id":"alice"})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("battery_kwh"), std::string::npos);
  EXPECT_EQ(call("PUT", "/api/vehicles/V-1", "op-token", R"({"battery_kwh":60})").status, 400);  // whose?
  EXPECT_EQ(call("PUT", "/api/vehicles/V-1", "op-token", R"({"owner_id":"alice","wheels":4})").status, 400);
  EXPECT_EQ(call("PUT", "/api/vehicles/V-1", "alice-token", R"({"id_token":"EV-1"})").status, 409);  // not hers yet
  ASSERT_TRUE(store->link_id_token("alice", "EV-1"));  // the operator links it
  auto made = call("PUT", "/api/vehicles/V-1", "alice-token", R"({"id_token":"EV-1","name":"Polestar 3","battery_kwh":107})");
  ASSERT_EQ(made.status, 201) << made.body;
  EXPECT_EQ(json::parse(made.body)["owner_id"], "alice");
  EXPECT_EQ(*store->owner_of_id_token("EV-1"), "alice");
  EXPECT_EQ(call("PUT", "/api/vehicles/V-1", "alice-token", R"({"battery_kwh":100})").status, 200);
  EXPECT_EQ(call("GET", "/api/vehicles/V-1", "bob-token").status, 404);  // another owner's
  EXPECT_EQ(call("PUT", "/api/vehicles/V-1", "bob-token", R"({"battery_kwh":1})").status, 404);
  EXPECT_EQ(call("PUT", "/api/vehicles/V-2", "bob-token", R"({"owner_id":"alice"})").status, 403);
  EXPECT_EQ(call("PUT", "/api/vehicles/V-2", "bob-token", R"({"id_token":"EV-1"})").status, 409);  // V-1's
  EXPECT_EQ(call("PUT", "/api/vehicles/V-2", "bob-token", R"({"id_token":"CARD-A"})").status, 409);  // alice's card
  ASSERT_EQ(call("PUT", "/api/vehicles/V-2", "bob-token", R"({"id_token":"CARD-B","battery_kwh":39})").status, 201);
  EXPECT_EQ(json::parse(call("GET", "/api/vehicles", "bob-token").body).size(), 1u);
  EXPECT_EQ(json::parse(call("GET", "/api/vehicles", "op-token").body).size(), 2u);
  EXPECT_EQ(json::parse(call("GET", "/api/vehicles/V-1", "alice-token").body)["battery_kwh"], 100);
}

TEST_F(Api, OwnersSetTheirPreferencesAndThePlanTakesThem) {
  EXPECT_EQ(call("GET", "/api/owners/alice/preferences", "alice-token").status, 404);
  auto bad = call("PUT", "/api/owners/alice/preferences", "alice-token", R"({"departure_time_utc":"25:00"})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("departure_time_utc"), std::string::npos);
  EXPECT_EQ(call("PUT", "/api/owners/alice/preferences", "alice-token", R"({"colour":"red"})").status, 400);
  EXPECT_EQ(call("PUT", "/api/owners/alice/preferences", "alice-token", R"({"target_energy_kwh":-3})").status, 400);
  auto ok = call("PUT", "/api/owners/alice/preferences", "alice-token",
                 R"({"departure_time_utc":"17:30","target_energy_kwh":12.5,"v2g_consent":true,"wear_budget_eur":20})");
  ASSERT_EQ(ok.status, 200) << ok.body;
  auto got = json::parse(call("GET", "/api/owners/alice/preferences", "alice-token").body);
  EXPECT_EQ(got["departure_time_utc"], "17:30");
  EXPECT_EQ(got["target_energy_kwh"], 12.5);
  EXPECT_EQ(got["v2g_consent"], true);
  EXPECT_EQ(call("PUT", "/api/owners/bob/preferences", "alice-token", "{}").status, 404);
  EXPECT_EQ(call("GET", "/api/owners/alice/preferences", "bob-token").status, 404);
  // Alice's open session now leaves at 17:30 (it started at 12:00 the same day) wanting 12.5 kWh.
  for (const auto& s : bridge->sessions()) {
    if (s.transaction_id != "T-A") continue;
    EXPECT_EQ(format_utc(s.departure), "2024-06-03T17:30:00Z");
    EXPECT_EQ(s.energy_needed_kwh, 12.5);
    EXPECT_TRUE(s.v2g_consent);
  }
  EXPECT_TRUE(bridge->needs_replan());
}

TEST_F(Api, BytesThatAreNotUtf8AreRefusedNotFatal) {
  EXPECT_EQ(call("GET", "/api/owners/alice/earnings?interval=\xff", "alice-token").status, 400);
  EXPECT_EQ(call("PUT", "/api/vehicles/V-\xff", "alice-token", "{}").status, 400);
  auto r = call("PUT", "/api/vehicles/V-1", "alice-token", "{\"name\":\"\xff\"}");
  EXPECT_EQ(r.status, 400);  // the JSON parser refuses it
  EXPECT_TRUE(json::accept(r.body));
  EXPECT_TRUE(store->vehicles(std::nullopt).empty());
  EXPECT_EQ(json_response(200, {{"x", "\xff"}}).body, "{\"x\":\"\xef\xbf\xbd\"}");  // replaced, not thrown
}

TEST_F(Api, OperatorsProvisionStations) {
  auto bad = call("PUT", "/api/stations/CS-9", "op-token", R"({"password":"short"})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("16 to 40"), std::string::npos);
  EXPECT_EQ(call("PUT", "/api/stations/CS-9", "op-token", R"({"password":"a-long-station-secret","colour":1})").status, 400);
  EXPECT_EQ(call("PUT", "/api/stations/CS-9", "alice-token", R"({"password":"a-long-station-secret"})").status, 403);
  EXPECT_FALSE(store->station("CS-9"));  // nothing of a refused request was taken
  EXPECT_EQ(call("PUT", "/api/stations/CS-9", "op-token", R"({"password":"a-long-station-secret","max_power_kw":22})").status, 201);
  auto stored = store->station("CS-9");
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->max_power_kw, 22.0);
  EXPECT_TRUE(verify_password("a-long-station-secret", stored->password_hash));
  EXPECT_EQ(call("PUT", "/api/stations/CS-9", "op-token", R"({"password":"another-long-secret!"})").status, 200);
}

TEST_F(Api, OperatorsStartAndEndDispatch) {
  EXPECT_EQ(json::parse(call("GET", "/api/dispatch", "op-token").body)["active"], false);
  EXPECT_EQ(call("GET", "/api/dispatch", "alice-token").status, 403);
  auto bad = call("POST", "/api/dispatch", "op-token", R"({"kind":"regulation","capacity_kw":10,"signal":[0.5,"up"]})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("'signal'[1]"), std::string::npos);
  EXPECT_EQ(call("POST", "/api/dispatch", "op-token", R"({"kind":"regulation","capacity_kw":10,"signal":[2]})").status, 400);
  EXPECT_EQ(call("POST", "/api/dispatch", "op-token", R"({"kind":"demand_response","offset_kw":-5})").status, 400);  // no end
  EXPECT_EQ(call("POST", "/api/dispatch", "op-token", R"({"kind":"curtail"})").status, 400);
  EXPECT_EQ(call("POST", "/api/dispatch", "op-token", R"({"kind":"demand_response","offset_kw":-5,"end":"2024-06-03T13:00:00Z","x":1})").status, 400);
  EXPECT_EQ(json::parse(call("GET", "/api/dispatch", "op-token").body)["active"], false);  // nothing bad was taken
  auto ok = call("POST", "/api/dispatch", "op-token", R"({"kind":"demand_response","offset_kw":-5,"end":"2024-06-03T13:00:00Z"})");
  ASSERT_EQ(ok.status, 202) << ok.body;
  auto state = json::parse(call("GET", "/api/dispatch", "op-token").body);
  EXPECT_EQ(state["active"], true);
  EXPECT_EQ(state["signal"]["offset_kw"], -5.0);
  EXPECT_EQ(state["signal"]["end"], "2024-06-03T13:00:00Z");
  EXPECT_NE(call("GET", "/metrics", "").body.find("voltpool_dispatch_active 1"), std::string::npos);
  EXPECT_EQ(call("DELETE", "/api/dispatch", "op-token").status, 200);
  EXPECT_EQ(call("DELETE", "/api/dispatch", "op-token").status, 404);
}

TEST_F(Api, StartIsSentThroughTheStation) {
  EXPECT_EQ(call("POST", "/api/stations/CS-1/start", "op-token", R"({"evse_id":2,"id_token":"CARD-A"})").status, 202);
  ASSERT_EQ(remote.started.size(), 1u);
  EXPECT_EQ(remote.started[0], "CS-1/2/CARD-A");
  EXPECT_EQ(call("POST", "/api/stations/CS-404/start", "op-token", R"({"id_token":"CARD-A"})").status, 404);
  EXPECT_EQ(call("POST", "/api/stations/CS-1/start", "op-token", R"({"evse_id":0,"id_token":"CARD-A"})").status, 400);
  EXPECT_EQ(call("POST", "/api/stations/CS-1/start", "op-token", R"({"id_token":""})").status, 400);
  EXPECT_EQ(call("POST", "/api/stations/CS-1/start", "alice-token", R"({"id_token":"CARD-A"})").status, 403);
  remote.connected = false;
  EXPECT_EQ(call("POST", "/api/stations/CS-1/start", "op-token", R"({"id_token":"CARD-A"})").status, 409);
  EXPECT_EQ(remote.started.size(), 1u);
}

TEST_F(Api, StopIsSentThroughTheStation) {
  auto r = call("POST", "/api/sessions/" + std::to_string(alice_session) + "/stop", "op-token");
  EXPECT_EQ(r.status, 202);
  ASSERT_EQ(remote.stopped.size(), 1u);
  EXPECT_EQ(remote.stopped[0], "CS-1/T-A");
  remote.connected = false;
  EXPECT_EQ(call("POST", "/api/sessions/" + std::to_string(bob_session) + "/stop", "op-token").status, 409);
}

}  // namespace
}  // namespace voltpool::server
