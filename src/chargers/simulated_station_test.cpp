#include <gtest/gtest.h>

#include "chargers/simulated_station.hpp"
#include "ocpp/csms/protocol_blocks.hpp"
#include "ocpp/csms/station_session.hpp"

namespace voltpool::chargers {
namespace {

using std::chrono::minutes;

UtcTime at(int minute) { return UtcTime{std::chrono::seconds(1717416000)} + minutes(minute); }

PlannedSession session(int arrive, int leave, double kwh) {
  return {"TAG-" + std::to_string(arrive), at(arrive), at(leave), at(leave), kwh, 11.0};
}

std::vector<std::string> actions(const std::vector<OutgoingCall>& calls) {
  std::vector<std::string> out;
  for (const auto& c : calls) out.push_back(c.command.action);
  return out;
}

struct NullBackend : ocpp::CsmsBackend {
  int boot(const std::string&, const ocpp::BootInfo&) override { return 60; }
  void connector_status(const std::string&, int, int, const std::string&, UtcTime) override {}
  ocpp::TokenStatus authorize(const std::string&, const std::string&) override { return ocpp::TokenStatus::accepted; }
  std::string start_transaction(const ocpp::TransactionStart&) override { return "1"; }
  bool meter_values(const std::string&, const std::string&, int, std::span<const ocpp::MeterSample>) override { return true; }
  bool stop_transaction(const ocpp::TransactionStop&) override { return true; }
  void charging_needs(const std::string&, int, const ocpp::ChargingNeeds&) override {}
};

TEST(SimulatedStation, ReplaysASessionAndObeysTheProfile) {
  SimulatedStation station("CS-1", ProtocolVersion::ocpp201, 7.0, {session(10, 130, 20.0)}, Seconds(600));
  std::vector<OutgoingCall> calls;
  station.advance(at(0), calls);
  EXPECT_EQ(actions(calls), (std::vector<std::string>{"BootNotification", "StatusNotification"}));
  calls.clear();
  station.advance(at(10), calls);
  EXPECT_EQ(actions(calls), (std::vector<std::string>{"StatusNotification", "Authorize", "TransactionEvent",
                                                      "NotifyEVChargingNeeds"}));
  std::string tx = calls[2].command.payload["transactionInfo"]["transactionId"];
  EXPECT_EQ(calls[3].command.payload["chargingNeeds"]["acChargingParameters"]["energyAmount"], 20000);
  EXPECT_DOUBLE_EQ(station.power_w(at(10)), 7000.0);  // no profile yet: full power

  // The CSMS's own encoder makes the profile: 3 kW from minute 0, nothing from minute 40.
  NullBackend backend;
  ocpp::StationSession csms("CS-1", ProtocolVersion::ocpp201, backend);
  ocpp::PowerSchedule schedule{at(0), {{0, 3000.0}, {40 * 60, 0.0}}, 4 * 3600};
  ocpp::Command set = csms.blocks().set_tx_profile(tx, 1, 5, schedule);
  EXPECT_EQ(station.handle(set.action, set.payload, at(10)).payload["status"], "Accepted");
  EXPECT_EQ(station.counters().profiles_received, 1u);
  ocpp::Command other = csms.blocks().set_tx_profile("someone-else", 1, 6, schedule);
  EXPECT_EQ(station.handle(other.action, other.payload, at(10)).payload["status"], "Rejected");
  EXPECT_DOUBLE_EQ(station.power_w(at(20)), 3000.0);
  EXPECT_DOUBLE_EQ(station.power_w(at(50)), 0.0);

  // The composite schedule it reports is what it follows, and the CSMS reads it back as such.
  ocpp::Command get = csms.blocks().get_composite_schedule(1, 3600);
  auto composite = csms.blocks().composite_schedule(station.handle(get.action, get.payload, at(20)).payload);
  ASSERT_TRUE(composite);
  EXPECT_EQ(composite->start, at(20));
  EXPECT_DOUBLE_EQ(composite->periods.at(0).limit_w, 3000.0);
  EXPECT_EQ(composite->periods.at(1).start_offset_s, 20 * 60);

  calls.clear();
  station.advance(at(40), calls);  // 30 minutes at 3 kW
  EXPECT_NEAR(station.counters().energy_delivered_kwh, 1.5, 1e-9);
  EXPECT_EQ(actions(calls), (std::vector<std::string>{"TransactionEvent"}));  // the periodic meter value
  EXPECT_EQ(calls[0].command.payload["eventType"], "Updated");
  calls.clear();
  station.advance(at(130), calls);
  EXPECT_NEAR(station.counters().energy_delivered_kwh, 1.5, 1e-9);  // the profile said nothing more
  EXPECT_EQ(actions(calls), (std::vector<std::string>{"TransactionEvent", "StatusNotification"}));
  EXPECT_EQ(calls[0].command.payload["eventType"], "Ended");
  EXPECT_TRUE(station.finished());
}

TEST(SimulatedStation, FallsBackToTheDefaultProfileWithoutATxProfile) {
  for (auto v : {ProtocolVersion::ocpp16, ProtocolVersion::ocpp201}) {
    SimulatedStation station("CS-4", v, 11.0, {session(0, 300, 30.0)}, Seconds(600));
    std::vector<OutgoingCall> calls;
    station.advance(at(0), calls);
    for (auto& c : calls)
      if (c.command.action == "StartTransaction") c.on_result({true, {{"transactionId", 5}, {"idTagInfo", {{"status", "Accepted"}}}}, ""});
    EXPECT_DOUBLE_EQ(station.power_w(at(1)), 11000.0);
    NullBackend backend;
    ocpp::StationSession csms("CS-4", v, backend);
    ocpp::Command fail_safe = csms.blocks().set_default_profile(2, 3700.0, at(0));
    const auto& set = ocpp::rpc::schemas(v);
    EXPECT_FALSE(ocpp::rpc::validate(set, set.find("SetChargingProfile", true)->root, fail_safe.payload));
    EXPECT_EQ(station.handle(fail_safe.action, fail_safe.payload, at(1)).payload["status"], "Accepted");
    EXPECT_DOUBLE_EQ(station.power_w(at(2)), 3700.0);  // no TxProfile: the fail-safe limit
  }
}

TEST(SimulatedStation, OneSixLearnsItsTransactionIdFromTheAnswer) {
  SimulatedStation station("CS-2", ProtocolVersion::ocpp16, 11.0, {session(0, 60, 5.0)}, Seconds(600));
  std::vector<OutgoingCall> calls;
  station.advance(at(0), calls);
  ASSERT_EQ(actions(calls).back(), "StartTransaction");
  EXPECT_DOUBLE_EQ(station.power_w(at(0)), 0.0);  // not started until answered
  calls.back().on_result({true, {{"transactionId", 77}, {"idTagInfo", {{"status", "Accepted"}}}}, ""});
  EXPECT_DOUBLE_EQ(station.power_w(at(0)), 11000.0);
  calls.clear();
  station.advance(at(60), calls);
  EXPECT_NEAR(station.counters().energy_delivered_kwh, 5.0, 1e-9);  // capped at what the car wanted
  ASSERT_EQ(actions(calls).front(), "StopTransaction");
  EXPECT_EQ(calls.front().command.payload["transactionId"], 77);
  EXPECT_EQ(calls.front().command.payload["meterStop"], 5000);
}

TEST(SimulatedStation, EveryMessageItSendsPassesItsSchema) {
  for (auto v : {ProtocolVersion::ocpp16, ProtocolVersion::ocpp201, ProtocolVersion::ocpp21}) {
    SimulatedStation station("CS-3", v, 11.0, {session(0, 30, 3.0), session(40, 90, 3.0)}, Seconds(300));
    std::vector<OutgoingCall> calls;
    for (int minute = 0; minute <= 90; minute += 5) {
      std::size_t before = calls.size();
      station.advance(at(minute), calls);
      for (std::size_t i = before; i < calls.size(); ++i)
        if (calls[i].command.action == "StartTransaction")
          calls[i].on_result({true, {{"transactionId", 100 + minute}, {"idTagInfo", {{"status", "Accepted"}}}}, ""});
    }
    const auto& set = ocpp::rpc::schemas(v);
    for (const auto& c : calls) {
      const auto* schema = set.find(c.command.action, true);
      ASSERT_NE(schema, nullptr) << c.command.action;
      auto violation = ocpp::rpc::validate(set, schema->root, c.command.payload);
      EXPECT_FALSE(violation) << ocpp::rpc::subprotocol(v) << " " << c.command.action << ": " << violation->message;
    }
    EXPECT_EQ(station.counters().sessions_ended, 2u);
  }
}

}  // namespace
}  // namespace voltpool::chargers
