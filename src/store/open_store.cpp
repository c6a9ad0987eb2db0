#include "store/open_store.hpp"

#include "store/postgres_store.hpp"
#include "store/sqlite_store.hpp"

namespace voltpool::store {

bool names_postgres(const std::string& location) {
  if (location.rfind("postgresql://", 0) == 0 || location.rfind("postgres://", 0) == 0) return true;
  // libpq keywords: "host=... dbname=..." (a file name does not start with one of them and an '=').
  for (const char* keyword : {"host=", "hostaddr=", "dbname=", "user=", "port=", "service="})
    if (location.rfind(keyword, 0) == 0) return true;
  return false;
}

Result<std::unique_ptr<Store>> open_store(const std::string& location) {
  if (names_postgres(location)) {
    auto pg = PostgresStore::open(location);
    if (!pg) return pg.error();
    return std::unique_ptr<Store>(std::move(pg).value());
  }
  auto sqlite = SqliteStore::open(location);
  if (!sqlite) return sqlite.error();
  return std::unique_ptr<Store>(std::move(sqlite).value());
}

}  // namespace voltpool::store
