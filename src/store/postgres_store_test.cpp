// The PostgreSQL store against a real server the test starts itself: initdb into a temporary folder, pg_ctl
// start on a free loopback port, a database made for the tests; at the end pg_ctl stop and the folder
// removed. The server binaries are found in $VOLTPOOL_PG_BINDIR or Debian's /usr/lib/postgresql/N/bin;
// without them every test fails (scripts/install-deps.sh installs them).
#include "store/postgres_store.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "store/store_contract_test.hpp"

namespace voltpool::store {
namespace {

namespace fs = std::filesystem;

constexpr const char* kDatabase = "voltpool_test";

fs::path pg_bindir() {
  if (const char* dir = std::getenv("VOLTPOOL_PG_BINDIR")) return dir;
  fs::path newest;
  std::error_code ec;
  for (const auto& version : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    auto bin = version.path() / "bin";
    // Numeric order: 9.6 < 15 < 16.
    auto number = [](const fs::path& p) { return std::atof(p.parent_path().filename().c_str()); };
    if (fs::exists(bin / "initdb") && (newest.empty() || number(bin) > number(newest))) newest = bin;
  }
  return newest.empty() ? fs::path("/usr/lib/postgresql/15/bin") : newest;
}

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

std::string tail(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  std::string s = text.str();
  return s.size() > 2000 ? s.substr(s.size() - 2000) : s;
}

void ignore_notice(void*, const char*) {}  // "drop cascades to table ..." would go to stderr

// A throwaway PostgreSQL server, for the whole test program. When it cannot start, every test that needs it
// fails with the reason (a failure in the environment itself would have gtest, and ctest, skip them).
class PostgresServer : public ::testing::Environment {
 public:
  void SetUp() override { failure_ = start(); }

  void TearDown() override {
    PQfinish(admin_);
    admin_ = nullptr;
    if (port_ != 0)
      (void)run({bin_ / "pg_ctl", "-D", data(), "-m", "immediate", "-w", "stop"}, dir_ / "pg_ctl.log");
    if (!dir_.empty()) {
      std::error_code ec;
      fs::remove_all(dir_, ec);
    }
  }

  std::string conninfo(const std::string& database = kDatabase) const {
    return "postgresql://voltpool@127.0.0.1:" + std::to_string(port_) + "/" + database;
  }

  // An empty database: the next store to open migrates it again.
  void reset() {
    ASSERT_TRUE(failure_.empty()) << failure_;
    ASSERT_EQ(query("DROP SCHEMA public CASCADE; CREATE SCHEMA public"), "");
  }

  // The first value of the SQL's last statement ("" when none), or "error: ...".
  std::string query(const std::string& sql) {
    PGresult* r = PQexec(admin_, sql.c_str());
    std::string out;
    auto status = PQresultStatus(r);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
      out = std::string("error: ") + PQresultErrorMessage(r);
    else if (PQntuples(r) > 0 && PQnfields(r) > 0)
      out = PQgetvalue(r, 0, 0);
    PQclear(r);
    return out;
  }

 private:
  // Starts the server with a database for the tests; "" or why not.
  std::string start() {
    bin_ = pg_bindir();
    if (!fs::exists(bin_ / "initdb") || !fs::exists(bin_ / "pg_ctl"))
      return "PostgreSQL server binaries not found in " + bin_.string() +
             " (set VOLTPOOL_PG_BINDIR, or run scripts/install-deps.sh: Debian's postgresql package)";
    // PostgreSQL refuses to run as root: then its programs run as its own user, or nobody.
    if (::geteuid() == 0) {
      const passwd* pw = ::getpwnam("postgres");
      if (!pw) pw = ::getpwnam("nobody");
      if (!pw) return "running as root, and neither a postgres nor a nobody user to run PostgreSQL as";
      user_ = pw->pw_name;
      uid_ = pw->pw_uid;
      gid_ = pw->pw_gid;
    }
    std::string dir_template = (fs::temp_directory_path() / "voltpool_pg_XXXXXX").string();
    if (!::mkdtemp(dir_template.data()))
      return std::string("cannot make a temporary folder: ") + std::strerror(errno);
    dir_ = dir_template;
    if (!user_.empty() && ::chown(dir_.c_str(), uid_, gid_) != 0)
      return "cannot give " + dir_.string() + " to " + user_ + ": " + std::strerror(errno);

    auto log = dir_ / "initdb.log";
    if (!run({bin_ / "initdb", "-D", data(), "-U", "voltpool", "--auth=trust", "-E", "UTF8", "--locale=C",
              "--no-sync"},
             log))
      return "initdb failed:\n" + tail(log);
    // A free port can be taken between our look and the server's bind (tests run in parallel): a few tries.
    for (int attempt = 0; attempt < 5 && port_ == 0; ++attempt) {
      int port = free_port();
      std::string options = "-k '" + dir_.string() + "' -c listen_addresses=127.0.0.1 -p " +
                            std::to_string(port) + " -c fsync=off -c shared_buffers=16MB";
      if (run({bin_ / "pg_ctl", "-D", data(), "-l", dir_ / "server.log", "-o", options, "-w", "-t", "60",
               "start"},
              dir_ / "pg_ctl.log"))
        port_ = port;
    }
    if (port_ == 0) return "the PostgreSQL server did not start:\n" + tail(dir_ / "server.log");
    for (const char* database : {"postgres", kDatabase}) {
      PQfinish(admin_);
      admin_ = PQconnectdb(conninfo(database).c_str());
      if (PQstatus(admin_) != CONNECTION_OK) return std::string("connecting: ") + PQerrorMessage(admin_);
      PQsetNoticeProcessor(admin_, ignore_notice, nullptr);
      if (database == std::string("postgres")) {
        if (auto e = query(std::string("CREATE DATABASE ") + kDatabase); !e.empty()) return e;
      }
    }
    return "";
  }

  fs::path data() const { return dir_ / "data"; }

  // Runs a PostgreSQL program (as user_ when set) in dir_, its output appended to `log`; true on exit 0.
  bool run(const std::vector<std::string>& program, const fs::path& log) const {
    std::vector<std::string> args;
    if (!user_.empty())
      args = {fs::exists("/usr/sbin/runuser") ? "/usr/sbin/runuser" : "runuser", "-u", user_, "--"};
    args.insert(args.end(), program.begin(), program.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    pid_t pid = ::fork();
    if (pid == 0) {
      int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      ::dup2(fd, STDOUT_FILENO);
      ::dup2(fd, STDERR_FILENO);
      // A folder the server's user may enter: initdb and postgres look for themselves from there.
      if (::chdir(dir_.c_str()) != 0) ::_exit(126);
      ::execvp(argv[0], argv.data());
      ::_exit(127);
    }
    int status = 0;
    return pid > 0 && ::waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }

  fs::path bin_, dir_;
  std::string user_;
  uid_t uid_ = 0;
  gid_t gid_ = 0;
  int port_ = 0;
  PGconn* admin_ = nullptr;  // to the test database: resets and checks
  std::string failure_;      // why there is no server
};

auto* const server = static_cast<PostgresServer*>(::testing::AddGlobalTestEnvironment(new PostgresServer));

std::unique_ptr<PostgresStore> open_store() {
  auto store = PostgresStore::open(server->conninfo());
  if (!store) {
    ADD_FAILURE() << store.error().message;
    return nullptr;
  }
  return std::move(store).value();
}

StoreFactory postgres_factory() {
  return {"postgres", [] { server->reset(); }, [] { return open_store(); }};
}

INSTANTIATE_TEST_SUITE_P(Postgres, StoreContract, ::testing::Values(postgres_factory()),
                         [](const auto& info) { return info.param.name; });

UtcTime at(int s) { return UtcTime{Seconds(1717416000 + s)}; }

TEST(PostgresStore, AnUnreachableServerIsAClearError) {
  std::string port = std::to_string(free_port());  // nothing listens there
  auto store =
      PostgresStore::open("postgresql://voltpool@127.0.0.1:" + port + "/" + kDatabase + "?connect_timeout=5");
  ASSERT_FALSE(store);
  const std::string& message = store.error().message;
  EXPECT_NE(message.find("database: connecting to voltpool@127.0.0.1:" + port), std::string::npos) << message;
  EXPECT_NE(message.find("Connection refused"), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
}

TEST(PostgresStore, StoresOpeningAtOnceMigrateOnce) {
  ASSERT_NO_FATAL_FAILURE(server->reset());
  std::vector<std::unique_ptr<PostgresStore>> stores(4);
  {
    std::vector<std::jthread> openers;
    for (auto& store : stores) openers.emplace_back([&store] { store = open_store(); });
  }
  for (auto& store : stores) ASSERT_TRUE(store);
  EXPECT_EQ(server->query("SELECT count(*) = max(version) FROM schema_version"), "t");
  EXPECT_EQ(server->query("SELECT count(*) FROM meter_value_count"), "1");
  ASSERT_TRUE(stores[0]->put_station({"CS-1", "h", 11, "", ""}));
  EXPECT_TRUE(stores[3]->station("CS-1"));
}

TEST(PostgresStore, RefusesASchemaNewerThanItKnows) {
  ASSERT_NO_FATAL_FAILURE(server->reset());
  ASSERT_TRUE(open_store());
  ASSERT_EQ(server->query("INSERT INTO schema_version (version) VALUES (1000)"), "");
  auto store = PostgresStore::open(server->conninfo());
  ASSERT_FALSE(store);
  EXPECT_NE(store.error().message.find("schema version 1000 is newer"), std::string::npos)
      << store.error().message;
}

TEST(PostgresStore, ReconnectsWhenTheServerDropsItsConnection) {
  ASSERT_NO_FATAL_FAILURE(server->reset());
  auto store = open_store();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->put_station({"CS-1", "h", 11, "", ""}));
  auto drop_others = [] {
    return server->query(
        "SELECT count(*) FROM (SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
        "WHERE datname = current_database() AND backend_type = 'client backend' "
        "AND pid <> pg_backend_pid()) AS t");
  };
  ASSERT_EQ(drop_others(), "1");
  EXPECT_TRUE(store->station("CS-1"));  // a read
  ASSERT_EQ(drop_others(), "1");
  ocpp::TransactionStart start;
  start.station_id = "CS-1";
  start.time = at(0);
  auto id = store->start_transaction(start);  // a write that must not be repeated: BEGIN found the loss
  ASSERT_TRUE(id) << id.error().message;
  ASSERT_EQ(drop_others(), "1");
  ASSERT_TRUE(store->put_station({"CS-2", "h", 22, "", ""}));  // a write of one statement
  EXPECT_EQ(store->open_transactions().size(), 1u);
  EXPECT_EQ(store->stations().size(), 2u);
}

TEST(PostgresStore, TextAndNumbersRoundTripExactly) {
  ASSERT_NO_FATAL_FAILURE(server->reset());
  auto store = open_store();
  ASSERT_TRUE(store);
  ocpp::TransactionStart start;
  start.station_id = "CS-'1\"";
  start.transaction_id = "T-1";
  start.time = at(0);
  start.meter_start_wh = 0.1 + 0.2;
  ASSERT_TRUE(store->start_transaction(start));
  auto tx = store->transaction("CS-'1\"", "T-1");
  ASSERT_TRUE(tx);
  EXPECT_EQ(*tx->meter_start_wh, 0.1 + 0.2);
  // Batches travel as array literals: doubles at their extremes and NULLs here, text with quotes,
  // backslashes, braces, commas, "NULL" and non-ASCII in the ledger below.
  std::vector<ocpp::MeterSample> samples = {{at(1), 1e-300, std::nullopt, -0.0, 1.0 / 3},
                                            {at(2), 1e300, 2.5, 0, 0}};
  ASSERT_TRUE(*store->add_meter_values("CS-'1\"", "T-1", 1, samples));
  auto meter = store->meter_values("CS-'1\"", "T-1");
  ASSERT_EQ(meter.size(), 2u);
  EXPECT_EQ(*meter[0].sample.energy_import_wh, 1e-300);
  EXPECT_EQ(*meter[0].sample.soc_pct, 1.0 / 3);
  EXPECT_EQ(*meter[1].sample.energy_import_wh, 1e300);
  ASSERT_TRUE(*store->stop_transaction({"CS-'1\"", "T-1", at(3600), 1e300, "Local"}));
  SettlementRecord r;
  r.session_id = tx->session_id;
  r.owner_id = "zoë";
  r.settled_at = at(3700);
  const std::vector<std::string> memos = {R"(a "quoted" \ back\slash)", "{braces}, commas", "NULL",
                                          "Überschuss €", ""};
  for (const auto& memo : memos) r.settlement.entries.push_back({"owner:zoë", 1, memo});
  ASSERT_TRUE(*store->record_settlement(r));
  auto ledger = store->ledger();
  ASSERT_EQ(ledger.size(), memos.size());
  for (std::size_t i = 0; i < memos.size(); ++i) EXPECT_EQ(ledger[i].entry.memo, memos[i]);
  EXPECT_EQ(ledger[0].entry.account, "owner:zoë");
}

TEST(PostgresStore, DoublesRoundTripWhateverTheServersFloatDigits) {
  ASSERT_NO_FATAL_FAILURE(server->reset());
  // PostgreSQL before 12 sent 15 digits by default; a database or role may still ask for that.
  ASSERT_EQ(server->query(std::string("ALTER DATABASE ") + kDatabase + " SET extra_float_digits = 0"), "");
  auto store = open_store();
  ASSERT_EQ(server->query(std::string("ALTER DATABASE ") + kDatabase + " RESET extra_float_digits"), "");
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->put_station({"CS-1", "h", 0.1 + 0.2, "", ""}));
  auto station = store->station("CS-1");
  ASSERT_TRUE(station);
  EXPECT_EQ(station->max_power_kw, 0.1 + 0.2);
}

TEST(PostgresStore, RefusesTextWithANulByteInsteadOfCuttingIt) {
  ASSERT_NO_FATAL_FAILURE(server->reset());
  auto store = open_store();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->allow_id_token("CARD"));
  const std::string card_and_more("CARD\0MORE", 9);  // libpq would send "CARD"
  auto allowed = store->allow_id_token(card_and_more);
  ASSERT_FALSE(allowed);
  EXPECT_NE(allowed.error().message.find("NUL byte"), std::string::npos) << allowed.error().message;
  EXPECT_FALSE(store->id_token_allowed(card_and_more));
  EXPECT_TRUE(store->id_token_allowed("CARD"));
  ocpp::TransactionStart start;
  start.station_id = "CS-1";
  start.transaction_id = "T-1" + card_and_more;
  start.time = at(0);
  EXPECT_FALSE(store->start_transaction(start));
  EXPECT_TRUE(store->open_transactions().empty());
}

}  // namespace
}  // namespace voltpool::store
