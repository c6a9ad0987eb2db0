// The PostgreSQL store's tables (postgres_store.hpp), as numbered schema versions. migrate() brings a
// database to the newest under an advisory lock, so processes opening it at once migrate it once, and refuses
// a database migrated by a newer voltpool.
#pragma once

#include "core/result.hpp"

namespace voltpool::store {

class PgConnection;

// Applies the versions the database lacks, each in its own transaction; the connection is not shared yet.
Status migrate(PgConnection& db);

}  // namespace voltpool::store
