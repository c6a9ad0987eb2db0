// The service's control loop: re-plans the fleet when something changed (a plug-in, new needs, a departure,
// a station back online) and at every plan step, on its own thread, so OCPP handlers never wait for a solve;
// settles the sessions that ended (at once, and at every step those still pending).
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "server/fleet_bridge.hpp"
#include "server/session_settler.hpp"

namespace voltpool::server {

class ControlLoop {
 public:
  // `poll`: how soon a change is planned for (changes arriving together are planned together).
  ControlLoop(FleetBridge& bridge, SessionSettler& settler, Seconds plan_step,
              std::chrono::milliseconds poll = std::chrono::milliseconds(200));
  ~ControlLoop();
  ControlLoop(const ControlLoop&) = delete;
  ControlLoop& operator=(const ControlLoop&) = delete;

  void start();
  void stop();  // idempotent; joins the thread

 private:
  void run();

  void settle(UtcTime now);

  FleetBridge& bridge_;
  SessionSettler& settler_;
  Seconds plan_step_;
  std::chrono::milliseconds poll_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace voltpool::server
