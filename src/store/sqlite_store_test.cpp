#include <gtest/gtest.h>

#include <filesystem>

#include "store/sqlite_store.hpp"

namespace voltpool::store {
namespace {

struct TempDb {
  std::filesystem::path path;
  TempDb() {
    path = std::filesystem::temp_directory_path() /
           ("voltpool_store_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db");
    clean();
  }
  ~TempDb() { clean(); }
  void clean() {
    for (auto suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
  }
};

UtcTime at(int s) { return UtcTime{std::chrono::seconds(1717416000 + s)}; }

TEST(SqliteStore, StationsArePutAndReplaced) {
  TempDb db;
  auto store = SqliteStore::open(db.path.string());
  ASSERT_TRUE(store) << store.error().message;
  ASSERT_TRUE((*store)->put_station({"CS-1", "h1", 11.0, "", ""}));
  ASSERT_TRUE((*store)->put_station({"CS-1", "h2", 22.0, "", ""}));
  ASSERT_TRUE((*store)->record_boot("CS-1", {"ACME", "X", "", ""}, at(0)));
  auto s = (*store)->station("CS-1");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->password_hash, "h2");
  EXPECT_EQ(s->max_power_kw, 22.0);
  EXPECT_EQ(s->vendor, "ACME");
  EXPECT_FALSE((*store)->station("CS-2"));
}

TEST(SqliteStore, TransactionsAndMeterValuesSurviveReopening) {
  TempDb db;
  std::string id16;
  {
    auto store = SqliteStore::open(db.path.string());
    ASSERT_TRUE(store);
    ocpp::TransactionStart start;
    start.station_id = "CS-1";
    start.time = at(0);
    start.meter_start_wh = 100;
    auto a = (*store)->start_transaction(start);  // 1.6: assigned
    auto b = (*store)->start_transaction(start);
    ASSERT_TRUE(a && b);
    EXPECT_NE(*a, *b);
    EXPECT_EQ(std::stoll(*a) + 1, std::stoll(*b));
    id16 = *a;
    start.transaction_id = "T-1";  // 2.x: the station's, idempotent
    EXPECT_EQ(*(*store)->start_transaction(start), "T-1");
    EXPECT_EQ(*(*store)->start_transaction(start), "T-1");
    std::vector<ocpp::MeterSample> samples = {{at(900), 1100.0, std::nullopt, 4000.0, 55.0},
                                              {at(1800), 2100.0, std::nullopt, 4000.0, std::nullopt}};
    EXPECT_TRUE(*(*store)->add_meter_values("CS-1", id16, 1, samples));
    EXPECT_FALSE(*(*store)->add_meter_values("CS-2", id16, 1, samples));  // not CS-2's transaction
    EXPECT_TRUE(*(*store)->stop_transaction({"CS-1", "T-1", at(3600), 5000.0, "EVDisconnected"}));
    EXPECT_FALSE(*(*store)->stop_transaction({"CS-9", "T-1", at(3600), 5000.0, "EVDisconnected"}));
  }
  auto store = SqliteStore::open(db.path.string());
  ASSERT_TRUE(store);
  auto meter = (*store)->meter_values("CS-1", id16);
  ASSERT_EQ(meter.size(), 2u);
  EXPECT_EQ((*store)->meter_value_count(), 2u);  // the refused batch for CS-2 stored nothing
  EXPECT_EQ(*meter[0].sample.soc_pct, 55.0);
  EXPECT_FALSE(meter[1].sample.soc_pct);
  auto tx = (*store)->transaction("CS-1", id16);
  ASSERT_TRUE(tx);
  EXPECT_EQ(*tx->last_energy_import_wh, 2100.0);
  EXPECT_EQ(*tx->meter_start_wh, 100.0);
  auto open = (*store)->open_transactions();
  EXPECT_EQ(open.size(), 2u);  // the two 1.6 ones; T-1 stopped
  EXPECT_EQ((*store)->transaction("CS-1", "T-1")->stop_reason, "EVDisconnected");
}

TEST(SqliteStore, RefusesAFileThatIsNotADatabase) {
  TempDb db;
  {
    std::FILE* f = std::fopen(db.path.c_str(), "w");
    std::fputs("this is not sqlite, just some text that is long enough to be looked at", f);
    std::fclose(f);
  }
  auto store = SqliteStore::open(db.path.string());
  ASSERT_FALSE(store);
  EXPECT_NE(store.error().message.find(db.path.string()), std::string::npos);
}

}  // namespace
}  // namespace voltpool::store
