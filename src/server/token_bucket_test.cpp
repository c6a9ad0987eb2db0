#include <gtest/gtest.h>

#include "server/token_bucket.hpp"

namespace voltpool::server {
namespace {

using namespace std::chrono_literals;

TEST(TokenBucket, LetsABurstThroughThenPacesToTheRate) {
  TokenBucket bucket(10.0, 3.0);  // 10 a second, 3 at once
  auto t = TokenBucket::Clock::time_point{} + 1h;
  EXPECT_EQ(bucket.take(t), 0s);
  EXPECT_EQ(bucket.take(t), 0s);
  EXPECT_EQ(bucket.take(t), 0s);
  EXPECT_EQ(bucket.take(t), 100ms);  // the fourth waits for the next token
  EXPECT_EQ(bucket.take(t), 200ms);  // and the fifth for the one after
  t += 1s;                            // 10 tokens refill, 2 were owed, at most 3 are kept
  EXPECT_EQ(bucket.take(t), 0s);
  EXPECT_EQ(bucket.take(t), 0s);
  EXPECT_EQ(bucket.take(t), 0s);
  EXPECT_GT(bucket.take(t), 0s);
}

TEST(TokenBucket, WithoutARateThereIsNoLimit) {
  TokenBucket bucket(0.0, 1.0);
  auto t = TokenBucket::Clock::time_point{} + 1h;
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(bucket.take(t), 0s);
}

}  // namespace
}  // namespace voltpool::server
