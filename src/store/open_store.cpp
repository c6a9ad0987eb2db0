#include "store/open_store.hpp"

#include <libpq-fe.h>

#include "store/postgres_store.hpp"
#include "store/sqlite_store.hpp"

namespace voltpool::store {

bool names_postgres(const std::string& location) {
  if (location.rfind("postgresql://", 0) == 0 || location.rfind("postgres://", 0) == 0) return true;
  // libpq keywords ("host=db dbname=vpp sslmode=require"): whatever libpq parses as a connection string.
  if (location.find('=') == std::string::npos) return false;
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(location.c_str(), &error);
  if (error) PQfreemem(error);
  if (!options) return false;
  PQconninfoFree(options);
  return true;
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
