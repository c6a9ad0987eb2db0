#include <gtest/gtest.h>

#include <map>

#include "ocpp/csms/station_session.hpp"

namespace voltpool::ocpp {
namespace {

using nlohmann::json;
using rpc::ProtocolVersion;

struct FakeBackend : CsmsBackend {
  std::vector<std::string> events;
  std::map<std::string, std::vector<MeterSample>> meter;  // transaction -> samples
  std::vector<ChargingNeeds> needs;
  int next_id = 41;

  int boot(const std::string& s, const BootInfo& i) override {
    events.push_back("boot " + s + " " + i.vendor);
    return 300;
  }
  void connector_status(const std::string& s, int evse, int, const std::string& status, UtcTime) override {
    events.push_back("status " + s + " " + std::to_string(evse) + " " + status);
  }
  TokenStatus authorize(const std::string&, const std::string& token) override {
    return token == "BLOCKED" ? TokenStatus::blocked : TokenStatus::accepted;
  }
  std::string start_transaction(const TransactionStart& t) override {
    std::string id = t.transaction_id.empty() ? std::to_string(++next_id) : t.transaction_id;
    meter[id];
    events.push_back("start " + id + " " + t.id_token);
    return id;
  }
  bool meter_values(const std::string&, const std::string& tx, int, std::span<const MeterSample> s) override {
    if (!tx.empty() && !meter.count(tx)) return false;
    meter[tx].insert(meter[tx].end(), s.begin(), s.end());
    return true;
  }
  bool stop_transaction(const TransactionStop& t) override {
    if (!meter.count(t.transaction_id)) return false;
    events.push_back("stop " + t.transaction_id + " " + t.reason);
    return true;
  }
  void charging_needs(const std::string&, int, const ChargingNeeds& n) override { needs.push_back(n); }
};

struct Harness {
  FakeBackend backend;
  StationSession session;
  rpc::SteadyTime now{};
  int id = 0;
  explicit Harness(ProtocolVersion v) : session("CS-1", v, backend) {}

  json call(const std::string& action, const json& payload) {
    std::vector<std::string> out;
    session.receive(json::array({2, "m" + std::to_string(++id), action, payload}).dump(), now, out);
    EXPECT_EQ(out.size(), 1u);
    return out.empty() ? json() : json::parse(out[0]);
  }
};

PowerSchedule two_periods(double second_w) {
  PowerSchedule s;
  s.start = UtcTime{std::chrono::seconds(1717416000)};
  s.duration_s = 7200;
  s.periods = {{0, 7400.04}, {3600, second_w}};
  return s;
}

TEST(Csms16, BootAuthorizeStartMeterStop) {
  Harness h(ProtocolVersion::ocpp16);
  json boot = h.call("BootNotification", {{"chargePointVendor", "ACME"}, {"chargePointModel", "X"}});
  EXPECT_EQ(boot[0], 3);
  EXPECT_EQ(boot[2]["status"], "Accepted");
  EXPECT_EQ(boot[2]["interval"], 300);
  EXPECT_EQ(h.call("Authorize", {{"idTag", "BLOCKED"}})[2]["idTagInfo"]["status"], "Blocked");
  json start = h.call("StartTransaction", {{"connectorId", 1}, {"idTag", "TAG1"}, {"meterStart", 1000},
                                           {"timestamp", "2024-06-03T12:00:00Z"}});
  ASSERT_EQ(start[0], 3);
  EXPECT_EQ(start[2]["transactionId"], 42);
  EXPECT_EQ(start[2]["idTagInfo"]["status"], "Accepted");
  json meter = h.call("MeterValues",
                      {{"connectorId", 1}, {"transactionId", 42},
                       {"meterValue", {{{"timestamp", "2024-06-03T12:15:00.500Z"},
                                        {"sampledValue", {{{"value", "2.5"}, {"unit", "kWh"}},
                                                          {{"value", "7200"}, {"measurand", "Power.Active.Import"}, {"unit", "W"}},
                                                          {{"value", "2400"}, {"measurand", "Power.Active.Import"}, {"phase", "L1"}}}}}}}});
  EXPECT_EQ(meter[0], 3);
  ASSERT_EQ(h.backend.meter["42"].size(), 1u);
  EXPECT_DOUBLE_EQ(*h.backend.meter["42"][0].energy_import_wh, 2500.0);
  EXPECT_DOUBLE_EQ(*h.backend.meter["42"][0].power_w, 7200.0);  // the per-phase value is not added
  json unknown = h.call("MeterValues", {{"connectorId", 1}, {"transactionId", 7},
                                        {"meterValue", {{{"timestamp", "2024-06-03T12:15:00Z"},
                                                         {"sampledValue", {{{"value", "1"}}}}}}}});
  EXPECT_EQ(unknown[0], 4);
  EXPECT_EQ(h.call("StopTransaction", {{"transactionId", 42}, {"meterStop", 9000}, {"timestamp", "2024-06-03T14:00:00Z"}})[0], 3);
  EXPECT_EQ(h.backend.events.back(), "stop 42 Local");
}

TEST(Csms16, SmartChargingCommandsMatchTheirSchemas) {
  Harness h(ProtocolVersion::ocpp16);
  std::vector<std::string> out;
  std::vector<rpc::CallOutcome> results;
  auto keep = [&](const rpc::CallOutcome& o) { results.push_back(o); };
  h.session.send(h.session.blocks().set_tx_profile("42", 1, 7, two_periods(-3000)), keep, h.now, out);
  ASSERT_EQ(out.size(), 1u);
  json sent = json::parse(out[0]);
  EXPECT_EQ(sent[2], "SetChargingProfile");
  auto& periods = sent[3]["csChargingProfiles"]["chargingSchedule"]["chargingSchedulePeriod"];
  EXPECT_EQ(periods[0]["limit"], 7400.0);
  EXPECT_EQ(periods[1]["limit"], 0.0);  // 1.6 cannot discharge
  EXPECT_EQ(sent[3]["csChargingProfiles"]["transactionId"], 42);
  h.session.receive(json::array({3, sent[1], {{"status", "Accepted"}}}).dump(), h.now, out);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_TRUE(results[0].ok);
  EXPECT_TRUE(ProtocolBlocks::accepted(results[0].payload));

  out.clear();
  h.session.send(h.session.blocks().get_composite_schedule(1, 3600), keep, h.now, out);
  sent = json::parse(out[0]);
  h.session.receive(json::array({3, sent[1], {{"status", "Accepted"}, {"connectorId", 1},
                                              {"scheduleStart", "2024-06-03T12:00:00Z"},
                                              {"chargingSchedule", {{"chargingRateUnit", "A"}, {"duration", 3600},
                                                                    {"chargingSchedulePeriod", {{{"startPeriod", 0}, {"limit", 16.0}}}}}}}})
                        .dump(),
                    h.now, out);
  ASSERT_EQ(results.size(), 2u);
  auto composite = h.session.blocks().composite_schedule(results[1].payload);
  ASSERT_TRUE(composite);
  EXPECT_DOUBLE_EQ(composite->periods[0].limit_w, 16.0 * 230 * 3);
}

TEST(Csms201, TransactionEventsAndChargingNeeds) {
  Harness h(ProtocolVersion::ocpp201);
  json tx_info = {{"transactionId", "T-9"}};
  json started = h.call("TransactionEvent",
                        {{"eventType", "Started"}, {"timestamp", "2024-06-03T12:00:00Z"}, {"triggerReason", "CablePluggedIn"},
                         {"seqNo", 0}, {"transactionInfo", tx_info}, {"evse", {{"id", 2}, {"connectorId", 1}}},
                         {"idToken", {{"idToken", "TAG"}, {"type", "ISO14443"}}},
                         {"meterValue", {{{"timestamp", "2024-06-03T12:00:00Z"},
                                          {"sampledValue", {{{"value", 1.5}, {"measurand", "Energy.Active.Import.Register"},
                                                             {"unitOfMeasure", {{"unit", "kWh"}}}}}}}}}});
  ASSERT_EQ(started[0], 3) << started.dump();
  EXPECT_EQ(started[2]["idTokenInfo"]["status"], "Accepted");
  EXPECT_DOUBLE_EQ(*h.backend.meter["T-9"][0].energy_import_wh, 1500.0);
  json needs = h.call("NotifyEVChargingNeeds",
                      {{"evseId", 2}, {"chargingNeeds", {{"requestedEnergyTransfer", "DC"}, {"departureTime", "2024-06-03T18:00:00Z"},
                                                         {"dcChargingParameters", {{"evMaxCurrent", 200}, {"evMaxVoltage", 400},
                                                                                   {"energyAmount", 30000}, {"evMaxPower", 50000}}}}}});
  EXPECT_EQ(needs[2]["status"], "Accepted");
  ASSERT_EQ(h.backend.needs.size(), 1u);
  EXPECT_DOUBLE_EQ(*h.backend.needs[0].energy_kwh, 30.0);
  EXPECT_DOUBLE_EQ(*h.backend.needs[0].max_charge_w, 50000.0);
  // an Updated for a transaction never seen starts it, so no energy is lost
  json updated = h.call("TransactionEvent", {{"eventType", "Updated"}, {"timestamp", "2024-06-03T12:05:00Z"},
                                             {"triggerReason", "MeterValuePeriodic"}, {"seqNo", 0},
                                             {"transactionInfo", {{"transactionId", "OFFLINE-1"}}}});
  EXPECT_EQ(updated[0], 3);
  EXPECT_TRUE(h.backend.meter.count("OFFLINE-1"));
  json ended = h.call("TransactionEvent", {{"eventType", "Ended"}, {"timestamp", "2024-06-03T13:00:00Z"},
                                           {"triggerReason", "EVDeparted"}, {"seqNo", 1},
                                           {"transactionInfo", {{"transactionId", "T-9"}, {"stoppedReason", "EVDisconnected"}}}});
  EXPECT_EQ(ended[0], 3);
  EXPECT_EQ(h.backend.events.back(), "stop T-9 EVDisconnected");
}

TEST(Csms2x, ProfilesAreSchemaValidAndOnly21Discharges) {
  for (auto v : {ProtocolVersion::ocpp201, ProtocolVersion::ocpp21}) {
    Harness h(v);
    std::vector<std::string> out;
    std::vector<rpc::CallOutcome> results;
    h.session.send(h.session.blocks().set_tx_profile("T-1", 1, 3, two_periods(-5000)),
                   [&](const rpc::CallOutcome& o) { results.push_back(o); }, h.now, out);
    ASSERT_EQ(out.size(), 1u) << (results.empty() ? "" : results[0].error);
    json period = json::parse(out[0])[3]["chargingProfile"]["chargingSchedule"][0]["chargingSchedulePeriod"][1];
    if (v == ProtocolVersion::ocpp21) {
      EXPECT_EQ(period["operationMode"], "CentralSetpoint");
      EXPECT_EQ(period["setpoint"], -5000.0);
    } else {
      EXPECT_EQ(period["limit"], 0.0);
    }
    for (const Command& c : {h.session.blocks().clear_profile(3), h.session.blocks().get_composite_schedule(1, 600),
                             h.session.blocks().remote_start(1, "TAG", 5), h.session.blocks().remote_stop("T-1")}) {
      bool failed = false;
      h.session.send(c, [&](const rpc::CallOutcome& o) { failed = !o.ok && o.error != "timeout"; }, h.now, out);
      EXPECT_FALSE(failed) << c.action;
    }
  }
}

}  // namespace
}  // namespace voltpool::ocpp
