// The time the service and the charger simulator live in: the wall clock, or an accelerated replay where
// sim = start + (wall - epoch) * speed, so a day of real sessions plays in minutes. Two processes given the same
// start, epoch and speed agree on the time.
#pragma once

#include <chrono>
#include <cmath>

#include "core/time.hpp"

namespace voltpool {

class SimClock {
 public:
  // The wall clock.
  SimClock() = default;
  // sim time `start` at wall time `epoch`, running `speed` times faster than the wall.
  SimClock(UtcTime start, std::chrono::system_clock::time_point epoch, double speed)
      : start_(start), epoch_(epoch), speed_(speed), real_(false) {}

  UtcTime now() const {
    auto wall = std::chrono::system_clock::now();
    if (real_) return std::chrono::floor<std::chrono::seconds>(wall);
    auto elapsed = std::chrono::duration<double>(wall - epoch_).count() * speed_;
    return start_ + std::chrono::seconds(static_cast<std::int64_t>(std::floor(elapsed)));
  }
  // How long the wall waits for `sim` to pass.
  std::chrono::milliseconds wall_time_of(Seconds sim) const {
    return std::chrono::milliseconds(static_cast<std::int64_t>(static_cast<double>(sim.count()) * 1000.0 / speed_));
  }
  double speed() const { return speed_; }
  bool real() const { return real_; }

 private:
  UtcTime start_{};
  std::chrono::system_clock::time_point epoch_{};
  double speed_ = 1.0;
  bool real_ = true;
};

}  // namespace voltpool
