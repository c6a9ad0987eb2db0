#include "server/control_loop.hpp"

#include <spdlog/spdlog.h>

#include "ocpp/csms/context.hpp"

namespace voltpool::server {

ControlLoop::ControlLoop(FleetBridge& bridge, SessionSettler& settler, Seconds plan_step,
                         std::chrono::milliseconds poll)
    : bridge_(bridge), settler_(settler), plan_step_(plan_step), poll_(poll) {}

ControlLoop::~ControlLoop() { stop(); }

void ControlLoop::start() { thread_ = std::thread([this] { run(); }); }

void ControlLoop::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ControlLoop::settle(UtcTime now) {
  if (auto n = settler_.settle_pending(bridge_.prices(), now); n > 0) spdlog::info("settled {} sessions", n);
}

void ControlLoop::run() {
  std::int64_t last_step = -1;
  std::size_t last_stops = 0;
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    auto now = ocpp::utc_now();
    std::int64_t step = now.time_since_epoch() / plan_step_;
    if (std::size_t stops = bridge_.stats().sessions_stopped; stops != last_stops || step != last_step) {
      settle(now);
      last_stops = stops;
    }
    if (bridge_.needs_replan() || step != last_step) {
      if (!bridge_.replan(now)) {
        spdlog::error("re-plan failed; the previous schedules stay in force");
      } else {
        auto stats = bridge_.stats();
        spdlog::info("re-planned {} sessions in {:.1f} ms; {} profiles pushed so far", stats.open_sessions,
                     stats.last_plan_ms, stats.profiles_pushed);
      }
      last_step = step;
    }
    lock.lock();
    wake_.wait_for(lock, poll_, [this] { return stopping_; });
  }
}

}  // namespace voltpool::server
