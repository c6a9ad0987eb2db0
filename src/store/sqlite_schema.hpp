// The SQLite store's schema: its versions, applied in order (PRAGMA user_version counts those that ran).
#pragma once

#include <span>

namespace voltpool::store {

std::span<const char* const> sqlite_migrations();

}  // namespace voltpool::store
