// voltpool tokens create / owners link: API bearer tokens (operator or owner) and the id tokens (cards, EVs)
// that make sessions an owner's.
#include <fmt/format.h>

#include <iostream>

#include "app/commands.hpp"
#include "server/auth.hpp"
#include "store/open_store.hpp"

namespace voltpool::app {

namespace {

struct TokenArgs {
  std::string db = "voltpool.db";
  std::string role;
  std::string owner;
  std::string id_token;
};

int run_create(const TokenArgs& a) {
  if (a.role != "operator" && a.role != "owner") {
    std::cerr << "voltpool tokens create: --role must be operator or owner\n";
    return kExitBadInput;
  }
  if ((a.role == "owner") == a.owner.empty()) {
    std::cerr << "voltpool tokens create: an owner token needs --owner ID (and an operator token none)\n";
    return kExitBadInput;
  }
  auto store = store::open_store(a.db);
  if (!store) {
    std::cerr << "voltpool tokens create: " << store.error().message << "\n";
    return kExitFailure;
  }
  std::string token = server::random_token();
  store::ApiToken record{a.role == "owner" ? store::ApiRole::owner : store::ApiRole::operator_, a.owner};
  if (auto s = (*store)->add_api_token(server::sha256_hex(token), record); !s) {
    std::cerr << "voltpool tokens create: " << s.error().message << "\n";
    return kExitFailure;
  }
  std::cout << token << "\n";  // shown once: only its hash is stored
  return kExitOk;
}

int run_link(const TokenArgs& a) {
  if (a.owner.empty() || a.id_token.empty() || a.id_token.size() > 36) {
    std::cerr << "voltpool owners link: give --owner ID and --id-token TOKEN (at most 36 characters)\n";
    return kExitBadInput;
  }
  auto store = store::open_store(a.db);
  if (!store) {
    std::cerr << "voltpool owners link: " << store.error().message << "\n";
    return kExitFailure;
  }
  if (auto s = (*store)->link_id_token(a.owner, a.id_token); !s) {
    std::cerr << "voltpool owners link: " << s.error().message << "\n";
    return kExitFailure;
  }
  std::cout << fmt::format("sessions with id token {} are {}'s\n", a.id_token, a.owner);
  return kExitOk;
}

}  // namespace

Command add_tokens(CLI::App& app) {
  auto a = std::make_shared<TokenArgs>();
  auto* tokens = app.add_subcommand("tokens", "bearer tokens for the REST API");
  tokens->require_subcommand(1);
  auto* create = tokens->add_subcommand("create", "create a token and print it (only its hash is kept)");
  create->add_option("--db", a->db, "the service's database: an SQLite file or a PostgreSQL URI")->capture_default_str();
  create->add_option("--role", a->role, "operator (everything) or owner (their own sessions)")->required();
  create->add_option("--owner", a->owner, "the owner an owner token belongs to");
  return [a, create] { return create->parsed() ? run_create(*a) : kExitBadInput; };
}

Command add_owners(CLI::App& app) {
  auto a = std::make_shared<TokenArgs>();
  auto* owners = app.add_subcommand("owners", "owners and their cars' id tokens");
  owners->require_subcommand(1);
  auto* link = owners->add_subcommand("link", "sessions started with this id token belong to this owner");
  link->add_option("--db", a->db, "the service's database: an SQLite file or a PostgreSQL URI")->capture_default_str();
  link->add_option("--owner", a->owner, "owner id")->required();
  link->add_option("--id-token", a->id_token, "the id token (RFID card, EVCCID, ...)")->required();
  return [a, link] { return link->parsed() ? run_link(*a) : kExitBadInput; };
}

}  // namespace voltpool::app
