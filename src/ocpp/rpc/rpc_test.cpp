#include <gtest/gtest.h>

#include "ocpp/generated/v16.hpp"
#include "ocpp/generated/v201.hpp"
#include "ocpp/rpc/endpoint.hpp"

namespace voltpool::ocpp::rpc {
namespace {

using nlohmann::json;

json parse(const std::string& s) { return json::parse(s); }

const json kBoot201 = {{"reason", "PowerUp"}, {"chargingStation", {{"model", "M1"}, {"vendorName", "V"}}}};

std::optional<SchemaError> check(ProtocolVersion v, const std::string& action, bool request, const json& payload) {
  const SchemaSet& set = schemas(v);
  const MessageSchema* m = set.find(action, request);
  EXPECT_NE(m, nullptr) << action;
  return validate(set, m->root, payload);
}

TEST(Schema, EveryVersionHasItsMessages) {
  EXPECT_NE(schemas(ProtocolVersion::ocpp16).find("StartTransaction", true), nullptr);
  EXPECT_EQ(schemas(ProtocolVersion::ocpp201).find("StartTransaction", true), nullptr);
  EXPECT_NE(schemas(ProtocolVersion::ocpp201).find("TransactionEvent", false), nullptr);
  EXPECT_NE(schemas(ProtocolVersion::ocpp21).find("NotifyEVChargingNeeds", true), nullptr);
  EXPECT_EQ(schemas(ProtocolVersion::ocpp16).find("NoSuchAction", true), nullptr);
}

TEST(Schema, AcceptsValidPayloads) {
  EXPECT_FALSE(check(ProtocolVersion::ocpp201, "BootNotification", true, kBoot201));
  EXPECT_FALSE(check(ProtocolVersion::ocpp16, "BootNotification", true,
                     {{"chargePointVendor", "V"}, {"chargePointModel", "M"}}));
  EXPECT_FALSE(check(ProtocolVersion::ocpp16, "Heartbeat", false, {{"currentTime", "2024-06-03T12:00:00.123Z"}}));
}

TEST(Schema, NamesTheViolationAndTheField) {
  auto missing = check(ProtocolVersion::ocpp201, "BootNotification", true, {{"reason", "PowerUp"}});
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->violation, Violation::occurrence);
  EXPECT_EQ(missing->path, "/chargingStation");

  json bad_enum = kBoot201;
  bad_enum["reason"] = "NotAReason";
  auto e = check(ProtocolVersion::ocpp201, "BootNotification", true, bad_enum);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->violation, Violation::property);
  EXPECT_NE(e->message.find("/reason"), std::string::npos);

  json bad_type = kBoot201;
  bad_type["chargingStation"]["model"] = 42;
  e = check(ProtocolVersion::ocpp201, "BootNotification", true, bad_type);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->violation, Violation::type);
  EXPECT_EQ(e->path, "/chargingStation/model");

  json too_long = kBoot201;
  too_long["chargingStation"]["model"] = std::string(21, 'x');
  e = check(ProtocolVersion::ocpp201, "BootNotification", true, too_long);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->violation, Violation::property);

  json extra = kBoot201;
  extra["colour"] = "red";
  e = check(ProtocolVersion::ocpp201, "BootNotification", true, extra);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->path, "/colour");

  e = check(ProtocolVersion::ocpp16, "Heartbeat", false, {{"currentTime", "yesterday"}});
  ASSERT_TRUE(e);
  EXPECT_EQ(e->violation, Violation::format);
}

TEST(Schema, DateTimes) {
  EXPECT_TRUE(is_date_time("2024-06-03T12:00:00Z"));
  EXPECT_TRUE(is_date_time("2024-06-03T12:00:00.5+02:00"));
  EXPECT_FALSE(is_date_time("2024-06-03 12:00:00Z"));
  EXPECT_FALSE(is_date_time("2024-13-03T12:00:00Z"));
  EXPECT_FALSE(is_date_time("2024-06-03T12:00:00"));
}

TEST(Versions, NegotiatesTheFirstSpokenSubprotocol) {
  EXPECT_EQ(negotiate("ocpp2.0.1"), ProtocolVersion::ocpp201);
  EXPECT_EQ(negotiate("ocpp9, ocpp1.6, ocpp2.0.1"), ProtocolVersion::ocpp16);
  EXPECT_EQ(negotiate("ocpp2.1,ocpp2.0.1"), ProtocolVersion::ocpp21);
  EXPECT_FALSE(negotiate("ocpp1.5, wamp"));
  EXPECT_FALSE(negotiate(""));
}

TEST(Versions, NameErrorsAsEachSpecificationDoes) {
  EXPECT_EQ(error_code(ProtocolVersion::ocpp16, RpcError::occurrence_constraint), "OccurenceConstraintViolation");
  EXPECT_EQ(error_code(ProtocolVersion::ocpp201, RpcError::occurrence_constraint), "OccurrenceConstraintViolation");
  EXPECT_EQ(error_code(ProtocolVersion::ocpp16, RpcError::format), "FormationViolation");
  EXPECT_EQ(error_code(ProtocolVersion::ocpp21, RpcError::format), "FormatViolation");
  EXPECT_EQ(error_code(ProtocolVersion::ocpp201, RpcError::message_type), "MessageTypeNotSupported");
}

TEST(GeneratedTypes, RoundTripThroughJson) {
  v201::BootNotificationRequest boot = kBoot201.get<v201::BootNotificationRequest>();
  EXPECT_EQ(boot.reason, v201::BootReasonEnumType::PowerUp);
  EXPECT_EQ(boot.chargingStation.model, "M1");
  EXPECT_FALSE(boot.chargingStation.serialNumber.has_value());
  EXPECT_EQ(json(boot), kBoot201);

  v16::SetChargingProfileRequest set;
  set.connectorId = 1;
  set.csChargingProfiles.chargingProfileId = 7;
  set.csChargingProfiles.stackLevel = 0;
  set.csChargingProfiles.chargingProfilePurpose =
      v16::SetChargingProfileRequest_CsChargingProfiles_ChargingProfilePurpose::TxProfile;
  set.csChargingProfiles.chargingProfileKind =
      v16::SetChargingProfileRequest_CsChargingProfiles_ChargingProfileKind::Absolute;
  set.csChargingProfiles.chargingSchedule.chargingRateUnit =
      v16::SetChargingProfileRequest_CsChargingProfiles_ChargingSchedule_ChargingRateUnit::W;
  set.csChargingProfiles.chargingSchedule.chargingSchedulePeriod.push_back({0, 7400.0, std::nullopt});
  EXPECT_FALSE(check(ProtocolVersion::ocpp16, "SetChargingProfile", true, json(set)));
}

struct EndpointFixture : ::testing::Test {
  std::vector<std::pair<std::string, json>> seen;
  Endpoint endpoint{ProtocolVersion::ocpp201,
                    [this](std::string_view action, const json& payload) {
                      seen.emplace_back(std::string(action), payload);
                      if (action == "Heartbeat") return Reply::ok({{"currentTime", "2024-06-03T12:00:00Z"}});
                      return Reply::fail(RpcError::not_supported, "not here");
                    },
                    std::chrono::milliseconds(1000)};
  SteadyTime t0{};
  std::vector<std::string> out;
};

TEST_F(EndpointFixture, AnswersValidCallsWithTheHandlersResult) {
  endpoint.receive(R"([2,"a1","Heartbeat",{}])", t0, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(parse(out[0]), parse(R"([3,"a1",{"currentTime":"2024-06-03T12:00:00Z"}])"));
  EXPECT_EQ(seen.size(), 1u);
}

TEST_F(EndpointFixture, AnswersBrokenFramesWithTheRightCallError) {
  endpoint.receive("[2,\"a1\",\"Heartbeat\"", t0, out);                // not JSON
  endpoint.receive(R"([9,"a2","Heartbeat",{}])", t0, out);             // unknown type
  endpoint.receive(R"([2,"a3","NoSuchThing",{}])", t0, out);           // unknown action
  endpoint.receive(R"([2,"a4","BootNotification",{"reason":"PowerUp"}])", t0, out);  // missing field
  endpoint.receive(R"([2,"a5","StatusNotification",{"timestamp":"2024-06-03T12:00:00Z","connectorStatus":"Available","evseId":"1","connectorId":1}])", t0, out);
  ASSERT_EQ(out.size(), 5u);
  EXPECT_EQ(parse(out[0])[1], "-1");
  EXPECT_EQ(parse(out[0])[2], "RpcFrameworkError");
  EXPECT_EQ(parse(out[1])[2], "MessageTypeNotSupported");
  EXPECT_EQ(parse(out[2])[2], "NotImplemented");
  EXPECT_EQ(parse(out[3])[2], "OccurrenceConstraintViolation");
  EXPECT_EQ(parse(out[3])[4]["field"], "/chargingStation");
  EXPECT_EQ(parse(out[4])[2], "TypeConstraintViolation");
  EXPECT_NE(parse(out[4])[3].get<std::string>().find("evseId"), std::string::npos);
  EXPECT_TRUE(seen.empty());
  // and the connection still works
  out.clear();
  endpoint.receive(R"([2,"a6","Heartbeat",{}])", t0, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(parse(out[0])[0], 3);
}

TEST_F(EndpointFixture, KeepsOneOutgoingCallInFlightAndQueuesTheRest) {
  std::vector<CallOutcome> results;
  auto collect = [&](const CallOutcome& o) { results.push_back(o); };
  json clear = {{"chargingProfileId", 1}};
  endpoint.call("ClearChargingProfile", clear, collect, t0, out);
  endpoint.call("ClearChargingProfile", clear, collect, t0, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(endpoint.queued_calls(), 2u);
  std::string first_id = parse(out[0])[1];
  out.clear();
  endpoint.receive(R"([3,")" + first_id + R"(",{"status":"Accepted"}])", t0, out);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_TRUE(results[0].ok);
  ASSERT_EQ(out.size(), 1u);  // the second goes out once the first is answered
  std::string second_id = parse(out[0])[1];
  EXPECT_NE(second_id, first_id);
  out.clear();
  endpoint.tick(t0 + std::chrono::milliseconds(999), out);
  EXPECT_EQ(results.size(), 1u);
  endpoint.tick(t0 + std::chrono::milliseconds(1000), out);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[1].error, "timeout");
  EXPECT_EQ(endpoint.queued_calls(), 0u);
}

TEST_F(EndpointFixture, AbandonsEveryPendingCallWhenTheConnectionIsGone) {
  std::vector<CallOutcome> results;
  for (int i = 0; i < 3; ++i)
    endpoint.call("ClearChargingProfile", {{"chargingProfileId", i}}, [&](const CallOutcome& o) { results.push_back(o); },
                  t0, out);
  endpoint.abandon_all("station disconnected");
  ASSERT_EQ(results.size(), 3u);
  for (const auto& r : results) EXPECT_EQ(r.error, "station disconnected");
  EXPECT_EQ(endpoint.queued_calls(), 0u);
  EXPECT_FALSE(endpoint.deadline());
}

TEST_F(EndpointFixture, RejectsAResultThatBreaksItsSchema) {
  std::vector<CallOutcome> results;
  endpoint.call("ClearChargingProfile", {{"chargingProfileId", 1}},
                [&](const CallOutcome& o) { results.push_back(o); }, t0, out);
  std::string id = parse(out[0])[1];
  endpoint.receive(R"([3,")" + id + R"(",{"status":"Maybe"}])", t0, out);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_FALSE(results[0].ok);
  EXPECT_NE(results[0].error.find("PropertyConstraintViolation"), std::string::npos);
}

TEST_F(EndpointFixture, NeverSendsARequestThatBreaksItsSchema) {
  std::vector<CallOutcome> results;
  endpoint.call("ClearChargingProfile", {{"chargingProfileId", "one"}},
                [&](const CallOutcome& o) { results.push_back(o); }, t0, out);
  EXPECT_TRUE(out.empty());
  ASSERT_EQ(results.size(), 1u);
  EXPECT_FALSE(results[0].ok);
}

}  // namespace
}  // namespace voltpool::ocpp::rpc
