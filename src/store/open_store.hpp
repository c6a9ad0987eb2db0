// Opens the store a `--db` option names: a PostgreSQL connection (a postgres:// or postgresql:// URI, or libpq
// keywords libpq parses, such as "host=... dbname=...") or else an SQLite file, created when missing.
#pragma once

#include <memory>
#include <string>

#include "core/result.hpp"
#include "store/store.hpp"

namespace voltpool::store {

bool names_postgres(const std::string& location);
Result<std::unique_ptr<Store>> open_store(const std::string& location);

}  // namespace voltpool::store
