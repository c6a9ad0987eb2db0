// Station credentials (OCPP security profile 1 and 2: HTTP Basic auth, username = station id). Passwords are
// stored only as salted PBKDF2-HMAC-SHA256 hashes: "pbkdf2-sha256$ITERATIONS$SALT_HEX$HASH_HEX".
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace voltpool::server {

// A new salted hash of `password` (random salt from OpenSSL's CSPRNG).
std::string hash_password(std::string_view password);
// Whether `password` matches `stored` (constant-time comparison); false for a malformed `stored`.
bool verify_password(std::string_view password, std::string_view stored);

// A new API bearer token: 32 random bytes (OpenSSL's CSPRNG), hex.
std::string random_token();

// SHA-256 of `text`, hex.
std::string sha256_hex(std::string_view text);

struct BasicCredentials {
  std::string user;
  std::string password;
};
// The Authorization header value a client sends: "Basic base64(user:password)".
std::string basic_auth_header(std::string_view user, std::string_view password);
// Parses an Authorization header value "Basic base64(user:password)"; nothing when it is not one.
std::optional<BasicCredentials> parse_basic_auth(std::string_view header);

// OCPP 2.0.1 A00.FR.206 (and the 1.6 security whitepaper): Basic-auth passwords are 16 to 40 characters;
// identities (Part 4 §3.1.1) are at most 48 printable characters, and voltpool keeps '/' out of them: they are
// URL path segments and database keys as they are.
bool valid_station_id(std::string_view id);
// The station id of an OCPP endpoint target "/ocpp/ID" (percent-decoded), when it is a valid one.
std::optional<std::string> station_id_of(std::string_view target);
// What is wrong with a station to provision, if anything.
std::optional<std::string> station_problem(const std::string& id, const std::string& password, double max_power_kw);

}  // namespace voltpool::server
