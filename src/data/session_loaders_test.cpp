#include <gtest/gtest.h>

#include "data/acn_sessions.hpp"
#include "data/council_sessions.hpp"
#include "data/sessions.hpp"
#include "data/testing.hpp"

namespace voltpool {
namespace {

using namespace std::chrono;
using testing::TempFile;

TEST(AcnSessions, LoadsRealFileWithClaimsOnlyWhereClaimed) {
  LoadStats stats;
  auto set = load_acn_sessions(
      testing::shared_path("data/ev_sessions/acn_caltech_jpl/acn_caltech_2019-05-01_2019-08-31.csv"), {}, stats);
  ASSERT_TRUE(set.ok()) << set.error().message;
  EXPECT_EQ(set->sessions.size(), 3527u);
  size_t claimed = 0;
  for (const auto& s : set->sessions) {
    EXPECT_EQ(s.requested_kwh.has_value(), s.est_departure.has_value());
    claimed += s.requested_kwh.has_value();
    EXPECT_GE(s.departure, s.arrival);
    EXPECT_GE(s.evse_max_kw, kAcnLevel2Kw);
  }
  EXPECT_EQ(claimed, 3021u);
  const auto& first = set->sessions.front();
  EXPECT_EQ(first.arrival, sys_days{2019y / 5 / 1} + hours{8} + minutes{18} + seconds{45});
  EXPECT_DOUBLE_EQ(*first.requested_kwh, 60.0);
  EXPECT_DOUBLE_EQ(first.delivered_kwh, 44.069);
}

TEST(AcnSessions, DcFastStationIsRatedAsDc) {
  LoadStats stats;
  auto set = load_acn_sessions(
      testing::shared_path("data/ev_sessions/acn_caltech_jpl/acn_caltech_2021-05-01_2021-08-31.csv"), {}, stats);
  ASSERT_TRUE(set.ok());
  size_t dc = 0;
  for (const auto& s : set->sessions) {
    if (s.station_id == "11900388") {
      EXPECT_TRUE(s.evse_dc);
      ++dc;
    }
  }
  EXPECT_EQ(dc, 556u);
}

const char* kAcnHeader =
    "arrival,departure,requested_energy (kWh),delivered_energy (kWh),station_id,session_id,estimated_departure,"
    "claimed\n";

TEST(AcnSessions, MalformedRowNamesFileLineAndField) {
  TempFile f("acn_bad.csv", std::string(kAcnHeader) +
                                "2019-05-01 01:18:45-07:00,2019-05-01 15:52:36-07:00,60.0,44.0,CA-1,a,"
                                "2019-05-01 09:20:45-07:00,True\n"
                                "2019-05-01 06:33:14-07:00,2019-05-01 11:50:55-07:00,21.84,lots,CA-2,b,"
                                "2019-05-01 11:27:14-07:00,True\n");
  LoadStats stats;
  auto set = load_acn_sessions(f.path(), {}, stats);
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.error().message,
            f.path() + ":3: field 'delivered_energy (kWh)': expected a non-negative energy in kWh, got 'lots'");
  LoadStats lenient;
  auto l = load_acn_sessions(f.path(), {.lenient = true}, lenient);
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->sessions.size(), 1u);
  EXPECT_EQ(lenient.rows_skipped, 1u);
}

TEST(AcnSessions, DepartureBeforeArrivalIsMalformed) {
  TempFile f("acn_order.csv", std::string(kAcnHeader) +
                                  "2019-05-01 11:00:00-07:00,2019-05-01 10:00:00-07:00,1,1,CA-1,a,"
                                  "2019-05-01 09:20:45-07:00,False\n");
  LoadStats stats;
  auto set = load_acn_sessions(f.path(), {}, stats);
  ASSERT_FALSE(set.ok());
  EXPECT_NE(set.error().message.find(":2: field 'departure'"), std::string::npos) << set.error().message;
}

// The council exports hold a few impossible rows (negative kWh, an end before the start, a 1970 end date):
// strict loading stops at the first with its line and field; --lenient skips and counts them.
TEST(CouncilSessions, DundeeStrictStopsAtFirstImpossibleRow) {
  LoadStats stats;
  auto set = load_council_sessions(testing::shared_path("data/ev_sessions/dundee/cpdata.csv"), {}, stats);
  ASSERT_FALSE(set.ok());
  EXPECT_NE(set.error().message.find("cpdata.csv:7849: field 'End Date': expected an end not before the start"),
            std::string::npos)
      << set.error().message;
}

TEST(CouncilSessions, DundeeLenientCountsOpenAndMalformedApart) {
  LoadStats stats;
  auto set = load_council_sessions(testing::shared_path("data/ev_sessions/dundee/cpdata.csv"), {.lenient = true}, stats);
  ASSERT_TRUE(set.ok()) << set.error().message;
  EXPECT_EQ(stats.rows_read, 15502u);
  EXPECT_EQ(set->rows_skipped_open, 82u);  // 15,420 rows have kWh (SOURCES.md)
  // Lines 7849 (ends 01/01/1970), 14531 and 15210 (negative kWh); lines 5948-5950 end "before" they start
  // only in wall-clock time, across the autumn clock change, and are kept.
  EXPECT_EQ(stats.rows_skipped, 3u);
  EXPECT_EQ(set->sessions.size(), 15420u - 3u);
}

TEST(CouncilSessions, RepeatedAutumnHourKeepsSessionForward) {
  // cpdata.csv line 5948: 29/10/2017 01:55 -> 01:20, across the clock change: 00:55 UTC -> 01:20 UTC.
  LoadStats stats;
  auto set = load_council_sessions(testing::shared_path("data/ev_sessions/dundee/cpdata.csv"), {.lenient = true}, stats);
  ASSERT_TRUE(set.ok());
  bool found = false;
  for (const auto& s : set->sessions) {
    if (s.id == "3944166") {
      found = true;
      EXPECT_EQ(s.arrival, sys_days{2017y / 10 / 29} + minutes{55});
      EXPECT_EQ(s.departure, sys_days{2017y / 10 / 29} + hours{1} + minutes{20});
    }
  }
  EXPECT_TRUE(found);
}

TEST(CouncilSessions, DundeeSummerFileHasDriversAndVehicleModels) {
  LoadStats stats;
  auto set = load_council_sessions(
      testing::shared_path("data/ev_sessions/dundee/charge-sessions-june-sept.csv"), {.lenient = true}, stats);
  ASSERT_TRUE(set.ok()) << set.error().message;
  const auto& s = set->sessions.back();  // file order is newest first: the last row is the oldest
  EXPECT_FALSE(s.vehicle_id.empty());
  size_t leafs = 0;
  for (const auto& x : set->sessions) leafs += x.vehicle_model == "Nissan LEAF";
  EXPECT_GT(leafs, 10000u);
}

TEST(CouncilSessions, PerthLoadsInLondonTime) {
  LoadStats stats;
  auto set = load_council_sessions(
      testing::shared_path("data/ev_sessions/perth_kinross/electricvehiclechargecorrected.csv"), {.lenient = true},
      stats);
  ASSERT_TRUE(set.ok()) << set.error().message;
  EXPECT_EQ(stats.rows_read, 13676u);
  EXPECT_EQ(stats.rows_skipped, 1u);  // line 9523 ends on 01/01/1970
  // First row: 31/08/2017 22:12 BST = 21:12 UTC, rapid DC charger.
  bool found = false;
  for (const auto& s : set->sessions) {
    if (s.arrival == sys_days{2017y / 8 / 31} + hours{21} + minutes{12} && s.station_id == "51519/2") {
      found = true;
      EXPECT_TRUE(s.evse_dc);
      EXPECT_DOUBLE_EQ(s.delivered_kwh, 18.27);
    }
  }
  EXPECT_TRUE(found);
}

TEST(CouncilSessions, ChargePointModels) {
  EXPECT_EQ(rate_charge_point_model("APT 7kW Dual Outlet")->max_kw, 7);
  EXPECT_EQ(rate_charge_point_model("Siemens 7 kW Dual Outlet")->max_kw, 7);
  EXPECT_EQ(rate_charge_point_model("APT 22kW Raption")->max_kw, 22);
  EXPECT_TRUE(rate_charge_point_model("APT 50kW Raption")->dc);
  EXPECT_TRUE(rate_charge_point_model("APT Triple Rapid Charger")->dc);
  EXPECT_FALSE(rate_charge_point_model("Siemens Semi-Rapid")->dc);
  EXPECT_FALSE(rate_charge_point_model("Mystery Box"));
}

TEST(CouncilSessions, MalformedDateNamesField) {
  TempFile f("council_bad.csv",
             "CP ID,Connector,Start Date,Start Time,End Date,End Time,Total kWh,Site,Model\n"
             "51519,2,31/08/2017,22:12,31/08/2017,23:11,18.27,\"Broxden, Perth\",APT Triple Rapid Charger\n"
             "51519,2,31/08/2017,22:12,31/08/2017,2x:11,18.27,\"Broxden, Perth\",APT Triple Rapid Charger\n");
  LoadStats stats;
  auto set = load_council_sessions(f.path(), {}, stats);
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.error().message, f.path() + ":3: field 'End Time': expected dd/mm/yyyy and HH:MM, got '2x:11'");
}

TEST(Sessions, FolderMergesSortedAndDetectsFormat) {
  LoadStats stats;
  auto set = load_sessions({testing::shared_path("data/ev_sessions/perth_kinross")}, {.lenient = true}, stats);
  ASSERT_TRUE(set.ok()) << set.error().message;
  EXPECT_GT(set->sessions.size(), 60000u);
  for (size_t i = 1; i < set->sessions.size(); ++i) ASSERT_LE(set->sessions[i - 1].arrival, set->sessions[i].arrival);
}

TEST(Sessions, UnknownFormatIsNamed) {
  TempFile f("unknown.csv", "a,b,c\n1,2,3\n");
  LoadStats stats;
  auto set = load_sessions({f.path()}, {}, stats);
  ASSERT_FALSE(set.ok());
  EXPECT_NE(set.error().message.find("unknown session format"), std::string::npos);
}

}  // namespace
}  // namespace voltpool
