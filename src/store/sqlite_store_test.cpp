#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include <unistd.h>

#include "store/open_store.hpp"
#include "store/sqlite_store.hpp"
#include "store/store_contract_test.hpp"

namespace voltpool::store {
namespace {

std::filesystem::path temp_db_path() {
  std::string test = ::testing::UnitTest::GetInstance()->current_test_info()->name();
  std::replace(test.begin(), test.end(), '/', '_');
  return std::filesystem::temp_directory_path() / ("voltpool_store_" + std::to_string(::getpid()) + "_" + test + ".db");
}

void remove_db(const std::filesystem::path& path) {
  for (auto suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
}

StoreFactory sqlite_factory() {
  return {"sqlite", [] { remove_db(temp_db_path()); },
          []() -> std::unique_ptr<Store> {
            auto store = SqliteStore::open(temp_db_path().string());
            if (!store) {
              ADD_FAILURE() << store.error().message;
              return nullptr;
            }
            return std::move(store).value();
          }};
}

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreContract, ::testing::Values(sqlite_factory()),
                         [](const auto& info) { return info.param.name; });

TEST(SqliteStore, RefusesAFileThatIsNotADatabase) {
  auto path = temp_db_path();
  remove_db(path);
  {
    std::FILE* f = std::fopen(path.c_str(), "w");
    std::fputs("this is not sqlite, just some text that is long enough to be looked at", f);
    std::fclose(f);
  }
  auto store = SqliteStore::open(path.string());
  ASSERT_FALSE(store);
  EXPECT_NE(store.error().message.find(path.string()), std::string::npos);
  remove_db(path);
}

TEST(OpenStore, TellsAPostgresqlConnectionFromAFile) {
  EXPECT_TRUE(names_postgres("postgresql://voltpool@127.0.0.1:5432/vpp"));
  EXPECT_TRUE(names_postgres("postgres://db.example/vpp"));
  EXPECT_TRUE(names_postgres("host=127.0.0.1 dbname=vpp"));
  EXPECT_TRUE(names_postgres("dbname=vpp"));
  EXPECT_TRUE(names_postgres("sslmode=require host=db dbname=vpp"));
  EXPECT_FALSE(names_postgres("voltpool.db"));
  EXPECT_FALSE(names_postgres("/data/host=a/dbname=b.db"));
}

}  // namespace
}  // namespace voltpool::store
