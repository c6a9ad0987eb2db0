#include "server/auth.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <fmt/format.h>

#include <vector>

namespace voltpool::server {

namespace {

// Station passwords are 16-40 random characters (OCPP A00.FR.206), so brute force is hopeless whatever the
// iteration count; the count is kept low enough (about 0.5 ms) that 10,000 stations reconnecting at once cost
// seconds, not minutes, of CPU. Verified passwords are cached in memory (ocpp_server.cpp).
constexpr int kIterations = 2000;
constexpr std::size_t kSaltBytes = 16, kHashBytes = 32;

std::string hex(const unsigned char* data, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += fmt::format("{:02x}", data[i]);
  return out;
}

std::optional<std::vector<unsigned char>> unhex(std::string_view text) {
  if (text.size() % 2) return std::nullopt;
  std::vector<unsigned char> out;
  for (std::size_t i = 0; i < text.size(); i += 2) {
    auto digit = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      return -1;
    };
    int hi = digit(text[i]), lo = digit(text[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<unsigned char>(hi * 16 + lo));
  }
  return out;
}

std::vector<unsigned char> derive(std::string_view password, const std::vector<unsigned char>& salt, int iterations) {
  std::vector<unsigned char> out(kHashBytes);
  PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), salt.data(), static_cast<int>(salt.size()),
                    iterations, EVP_sha256(), static_cast<int>(out.size()), out.data());
  return out;
}

}  // namespace

std::string random_token() {
  unsigned char bytes[32];
  RAND_bytes(bytes, sizeof bytes);
  return hex(bytes, sizeof bytes);
}

std::string sha256_hex(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(text.data(), text.size(), digest, &n, EVP_sha256(), nullptr);
  return hex(digest, n);
}

std::string hash_password(std::string_view password) {
  std::vector<unsigned char> salt(kSaltBytes);
  RAND_bytes(salt.data(), static_cast<int>(salt.size()));
  auto hash = derive(password, salt, kIterations);
  return fmt::format("pbkdf2-sha256${}${}${}", kIterations, hex(salt.data(), salt.size()), hex(hash.data(), hash.size()));
}

bool verify_password(std::string_view password, std::string_view stored) {
  constexpr std::string_view prefix = "pbkdf2-sha256$";
  if (stored.substr(0, prefix.size()) != prefix) return false;
  stored.remove_prefix(prefix.size());
  auto d1 = stored.find('$'), d2 = stored.find('$', d1 == std::string_view::npos ? d1 : d1 + 1);
  if (d1 == std::string_view::npos || d2 == std::string_view::npos) return false;
  int iterations = 0;
  for (char c : stored.substr(0, d1)) {
    if (c < '0' || c > '9' || iterations > 10'000'000) return false;
    iterations = iterations * 10 + (c - '0');
  }
  auto salt = unhex(stored.substr(d1 + 1, d2 - d1 - 1));
  auto expected = unhex(stored.substr(d2 + 1));
  if (iterations <= 0 || !salt || !expected || expected->size() != kHashBytes) return false;
  auto actual = derive(password, *salt, iterations);
  return CRYPTO_memcmp(actual.data(), expected->data(), kHashBytes) == 0;
}

std::string basic_auth_header(std::string_view user, std::string_view password) {
  std::string plain = std::string(user) + ":" + std::string(password);
  std::string encoded(4 * ((plain.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                          reinterpret_cast<const unsigned char*>(plain.data()), static_cast<int>(plain.size()));
  encoded.resize(static_cast<std::size_t>(n));
  return "Basic " + encoded;
}

std::optional<BasicCredentials> parse_basic_auth(std::string_view header) {
  constexpr std::string_view scheme = "Basic ";
  if (header.size() <= scheme.size() || header.substr(0, scheme.size()) != scheme) return std::nullopt;
  std::string_view encoded = header.substr(scheme.size());
  while (!encoded.empty() && encoded.front() == ' ') encoded.remove_prefix(1);
  if (encoded.empty() || encoded.size() % 4 != 0 || encoded.size() > 4096) return std::nullopt;
  std::vector<unsigned char> decoded(encoded.size() / 4 * 3 + 1);
  int n = EVP_DecodeBlock(decoded.data(), reinterpret_cast<const unsigned char*>(encoded.data()),
                          static_cast<int>(encoded.size()));
  if (n < 0) return std::nullopt;
  std::size_t padding = encoded.ends_with("==") ? 2 : encoded.ends_with("=") ? 1 : 0;
  std::string text(reinterpret_cast<const char*>(decoded.data()), static_cast<std::size_t>(n) - padding);
  auto colon = text.find(':');
  if (colon == std::string::npos) return std::nullopt;
  return BasicCredentials{text.substr(0, colon), text.substr(colon + 1)};
}

bool valid_station_id(std::string_view id) {
  if (id.empty() || id.size() > 48) return false;
  for (char c : id)
    if (c == '/' || static_cast<unsigned char>(c) < 0x21 || static_cast<unsigned char>(c) > 0x7e) return false;
  return true;
}

std::optional<std::string> station_id_of(std::string_view target) {
  constexpr std::string_view prefix = "/ocpp/";
  if (target.substr(0, prefix.size()) != prefix) return std::nullopt;
  target.remove_prefix(prefix.size());
  if (auto q = target.find('?'); q != std::string_view::npos) target = target.substr(0, q);
  auto hex = [](char h) -> int {
    if (h >= '0' && h <= '9') return h - '0';
    h = static_cast<char>(h | 32);
    return h >= 'a' && h <= 'f' ? h - 'a' + 10 : -1;
  };
  std::string id;
  for (std::size_t i = 0; i < target.size(); ++i) {
    char c = target[i];
    if (c == '%') {
      if (i + 2 >= target.size()) return std::nullopt;
      int hi = hex(target[i + 1]), lo = hex(target[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    }
    id += c;
  }
  if (!valid_station_id(id)) return std::nullopt;
  return id;
}

std::optional<std::string> station_problem(const std::string& id, const std::string& password, double max_power_kw) {
  if (!valid_station_id(id))
    return fmt::format("station id '{}' must be 1 to 48 printable characters other than '/'", id);
  if (password.size() < 16 || password.size() > 40)
    return fmt::format("the password of '{}' must be 16 to 40 characters (OCPP basic auth), got {}", id, password.size());
  if (!(max_power_kw >= 0) || max_power_kw > 1000)
    return fmt::format("max power of '{}' must be within [0, 1000] kW", id);
  return std::nullopt;
}


}  // namespace voltpool::server
