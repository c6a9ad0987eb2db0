// Real-time dispatch in the service: while a regulation signal or a demand-response event is active, every
// cycle (2 s) the fleet's setpoint (the plan's power now, plus the signal times the regulation capacity, or plus
// the event's offset) is split over the connected cars by the dispatcher (dispatch/dispatcher.hpp: power, energy
// window, departure reserve and the owner's discharge allowance of each car) and each car whose setpoint moved
// materially gets it as its TxProfile: the setpoint for a short hold (regulation) or to the event's end, then the
// plan's own schedule again, so a car left alone by a failed service falls back to its plan. When the signal ends
// the plan's profiles are sent again. An accepted signal is stored before it is answered: a restarted service
// carries on with it. Thread-safe; `cycle()` is the loop's body (tests call it directly).
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/result.hpp"
#include "core/time.hpp"
#include "dispatch/dispatcher.hpp"
#include "server/fleet_bridge.hpp"
#include "store/store.hpp"

namespace voltpool::server {

struct DispatchSignal {
  enum class Kind { regulation, demand_response };
  Kind kind = Kind::regulation;
  UtcTime start{}, end{};
  // Regulation: one value in [-1, 1] per cycle from `start` (+1: the fleet absorbs `capacity_kw` more than its
  // plan); the signal ends with its values.
  double capacity_kw = 0;
  std::vector<double> signal;
  // Demand response: the fleet's power against its plan from `start` to `end` (-: consume less / give more).
  double offset_kw = 0;
};

struct DispatchState {
  bool active = false;
  std::shared_ptr<const DispatchSignal> signal;  // shared: a regulation signal may hold a day of values
  std::size_t cycles = 0;
  std::size_t cars = 0;
  CycleOutcome last;            // the last cycle's fleet setpoint, assigned power and reachable range
  double baseline_kw = 0;       // the plan's power of the dispatched cars in the last cycle
  double measured_kw = 0;       // the cars' latest metered power
  double error_kw_mean_abs = 0;  // |setpoint - assigned| averaged over the signal's cycles
  std::size_t profiles_sent = 0;
};

class DispatchLoop {
 public:
  // Carries on with the signal `store` holds, if one was active.
  DispatchLoop(FleetBridge& bridge, store::Store& store, DispatchConfig config = {});
  ~DispatchLoop();
  DispatchLoop(const DispatchLoop&) = delete;
  DispatchLoop& operator=(const DispatchLoop&) = delete;

  // Where the setpoints go (the OCPP server); none: cycles compute but send nothing.
  void set_sink(ProfileSink* sink);
  // What is wrong with a signal offered at `now`, if anything (and its end, for a regulation signal, set).
  Status check_signal(DispatchSignal& signal, UtcTime now) const;
  // A new signal replaces the active one, stored first: an error names what is wrong with it or the storage
  // failure.
  Status set_signal(DispatchSignal signal, UtcTime now);
  // Ends the active signal (the plan's profiles go out again); false when none was active; an error when the
  // end could not be stored (a restart would resume the signal).
  Result<bool> clear_signal();
  DispatchState state() const;

  // One dispatch cycle at `now` (service time). Ends the signal when it is over.
  void cycle(UtcTime now);

  void start();  // the loop thread: a cycle every config.cycle_s of wall time
  void stop();   // idempotent

 private:
  Status finish_locked();
  void release_locked();  // the bridge sends plans again (when this loop held them)

  FleetBridge& bridge_;
  store::Store& store_;
  ProfileSink* sink_ = nullptr;
  DispatchConfig config_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
  DispatchState state_;
  double error_sum_kw_ = 0;
  struct Sent {
    double kw = 0;
    UtcTime at{};
  };
  std::map<std::pair<std::string, std::string>, Sent> sent_;  // by (station, transaction)
  bool holding_ = false;  // the bridge's plans held back: a signal is in force
  std::uint64_t generation_ = 0;  // of the signal: a cycle of a replaced signal does not write into the new one
};

}  // namespace voltpool::server
