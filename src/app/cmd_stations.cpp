// voltpool stations add|list: provision charging stations (identity, password, power) in the service's database.
#include <fmt/format.h>

#include <iostream>

#include "app/commands.hpp"
#include "data/csv_file.hpp"
#include "data/parse.hpp"
#include "server/auth.hpp"
#include "store/open_store.hpp"

namespace voltpool::app {

namespace {

struct StationArgs {
  std::string db = "voltpool.db";
  std::string id, password, from_csv;
  double max_power_kw = 0;
};

struct NewStation {
  std::string id, password;
  double max_power_kw = 0;
};

Result<std::vector<NewStation>> read_station_csv(const std::string& path) {
  auto file = CsvFile::open(path);
  if (!file) return file.error();
  CsvFile& csv = *file;
  auto cols = csv.require_columns({"id", "password", "max_power_kw"});
  if (!cols) return cols.error();
  std::vector<NewStation> out;
  while (csv.next()) {
    const std::string& power_text = csv.field((*cols)[2]);
    auto power = power_text.empty() ? std::optional<double>(0.0) : parse_number(power_text);
    if (!power) return csv.bad_field((*cols)[2], "a power in kW");
    std::string id = csv.field((*cols)[0]), password = csv.field((*cols)[1]);
    if (auto problem = server::station_problem(id, password, *power)) return csv.error("id", *problem);
    out.push_back({id, password, *power});
  }
  if (auto e = csv.read_error()) return *e;
  return out;
}

int run_add(const StationArgs& a) {
  std::vector<NewStation> stations;
  if (!a.from_csv.empty()) {
    auto read = read_station_csv(a.from_csv);
    if (!read) {
      std::cerr << "voltpool stations add: " << read.error().message << "\n";
      return kExitBadInput;
    }
    stations = std::move(read).value();
  } else {
    if (auto problem = server::station_problem(a.id, a.password, a.max_power_kw)) {
      std::cerr << "voltpool stations add: " << *problem << "\n";
      return kExitBadInput;
    }
    stations.push_back({a.id, a.password, a.max_power_kw});
  }
  auto store = store::open_store(a.db);
  if (!store) {
    std::cerr << "voltpool stations add: " << store.error().message << "\n";
    return kExitFailure;
  }
  for (const auto& s : stations) {
    if (auto status = (*store)->put_station({s.id, server::hash_password(s.password), s.max_power_kw, "", ""}); !status) {
      std::cerr << "voltpool stations add: " << status.error().message << "\n";
      return kExitFailure;
    }
  }
  std::cout << fmt::format("{} station{} provisioned in {}\n", stations.size(), stations.size() == 1 ? "" : "s", a.db);
  return kExitOk;
}

int run_list(const StationArgs& a) {
  auto store = store::open_store(a.db);
  if (!store) {
    std::cerr << "voltpool stations list: " << store.error().message << "\n";
    return kExitFailure;
  }
  std::cout << "id,max_power_kw,vendor,model\n";
  for (const auto& s : (*store)->stations())
    std::cout << fmt::format("{},{},{},{}\n", s.id, s.max_power_kw, s.vendor, s.model);
  return kExitOk;
}

}  // namespace

Command add_stations(CLI::App& app) {
  auto args = std::make_shared<StationArgs>();
  auto* cmd = app.add_subcommand("stations", "provision charging stations in the service's database");
  cmd->require_subcommand(1);
  auto* add = cmd->add_subcommand("add", "add stations (or replace their password and power)");
  add->add_option("--db", args->db, "the service's database: an SQLite file or a PostgreSQL URI")->capture_default_str();
  add->add_option("--id", args->id, "station identity (the last segment of its OCPP URL)");
  add->add_option("--password", args->password, "HTTP Basic password, 16 to 40 characters (stored hashed)");
  add->add_option("--max-power-kw", args->max_power_kw, "the station's maximum power (0: the server's default)");
  add->add_option("--from-csv", args->from_csv, "CSV with columns id,password,max_power_kw (bulk)");
  auto* list = cmd->add_subcommand("list", "list the provisioned stations");
  list->add_option("--db", args->db, "the service's database: an SQLite file or a PostgreSQL URI")->capture_default_str();
  return [args, add, list] {
    if (add->parsed()) {
      if (args->from_csv.empty() && (args->id.empty() || args->password.empty())) {
        std::cerr << "voltpool stations add: give --id and --password, or --from-csv\n";
        return kExitBadInput;
      }
      return run_add(*args);
    }
    if (list->parsed()) return run_list(*args);
    return kExitBadInput;
  };
}

}  // namespace voltpool::app
