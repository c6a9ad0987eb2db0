// A token bucket: `rate` tokens a second, holding at most `burst`. The OCPP server takes one per message a
// station sends; when none is left it reads that station's next message only once one is (TCP backpressure: a
// flooding station is slowed, nothing it sent is refused or lost).
#pragma once

#include <algorithm>
#include <chrono>

namespace voltpool::server {

class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;

  // rate <= 0: no limit.
  TokenBucket(double rate_per_s, double burst) : rate_(rate_per_s), burst_(std::max(1.0, burst)), tokens_(burst_) {}

  // Takes a token at `now`: zero when one was there, else how long until there is one (already taken).
  Clock::duration take(Clock::time_point now) {
    if (rate_ <= 0) return Clock::duration::zero();
    if (last_ != Clock::time_point{})
      tokens_ = std::min(burst_, tokens_ + std::chrono::duration<double>(now - last_).count() * rate_);
    last_ = now;
    tokens_ -= 1.0;
    if (tokens_ >= 0) return Clock::duration::zero();
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(-tokens_ / rate_));
  }

 private:
  double rate_, burst_, tokens_;
  Clock::time_point last_{};
};

}  // namespace voltpool::server
