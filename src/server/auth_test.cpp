#include <gtest/gtest.h>

#include "server/auth.hpp"

namespace voltpool::server {
namespace {

TEST(Auth, StationIdsComeFromTheEndpointPath) {
  EXPECT_EQ(*station_id_of("/ocpp/CS-1"), "CS-1");
  EXPECT_EQ(*station_id_of("/ocpp/CS%2D1?x=1"), "CS-1");
  EXPECT_FALSE(station_id_of("/ocpp/"));
  EXPECT_FALSE(station_id_of("/ocpp/a%2Fb"));       // no '/' even encoded
  EXPECT_FALSE(station_id_of("/ocpp/a%2"));         // a broken escape
  EXPECT_FALSE(station_id_of("/api/CS-1"));
  EXPECT_FALSE(station_id_of("/ocpp/" + std::string(49, 'x')));
  EXPECT_TRUE(station_problem("a b", "a-long-station-secret", 11));  // the same rule when provisioning
  EXPECT_FALSE(station_problem("CS-1", "a-long-station-secret", 11));
}

TEST(Auth, PasswordsAreSaltedAndVerified) {
  std::string a = hash_password("correct horse battery");
  std::string b = hash_password("correct horse battery");
  EXPECT_NE(a, b);  // salted
  EXPECT_EQ(a.find("correct"), std::string::npos);
  EXPECT_TRUE(verify_password("correct horse battery", a));
  EXPECT_FALSE(verify_password("correct horse batterY", a));
  EXPECT_FALSE(verify_password("x", "pbkdf2-sha256$zz$00$00"));
  EXPECT_FALSE(verify_password("x", ""));
}

TEST(Auth, ParsesBasicCredentials) {
  auto c = parse_basic_auth("Basic Q1MtMTpzM2NyZXQ6d2l0aDpjb2xvbnM=");  // CS-1:s3cret:with:colons
  ASSERT_TRUE(c);
  EXPECT_EQ(c->user, "CS-1");
  EXPECT_EQ(c->password, "s3cret:with:colons");
  EXPECT_FALSE(parse_basic_auth("Bearer abc"));
  EXPECT_FALSE(parse_basic_auth("Basic !!!"));
  EXPECT_FALSE(parse_basic_auth("Basic bm9jb2xvbg=="));  // "nocolon"
  EXPECT_FALSE(parse_basic_auth(""));
  for (auto password : {"", "a", "ab", "abc", "pass:word with spaces"}) {
    auto round_trip = parse_basic_auth(basic_auth_header("CS-9", password));
    ASSERT_TRUE(round_trip);
    EXPECT_EQ(round_trip->user, "CS-9");
    EXPECT_EQ(round_trip->password, password);
  }
}

}  // namespace
}  // namespace voltpool::server
