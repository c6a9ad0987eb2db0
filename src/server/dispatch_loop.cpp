#include "server/dispatch_loop.hpp"

#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "ocpp/csms/context.hpp"
#include "server/session_window.hpp"

namespace voltpool::server {

namespace {

constexpr Seconds kRegulationHold{60};  // a regulation setpoint's validity: the plan resumes if none follows
constexpr double kInstantRampKwPerS = 1e9;  // OCPP chargers step to a new limit

double epoch_s(UtcTime t) { return static_cast<double>(t.time_since_epoch().count()); }

bool moved(double previous_kw, double next_kw) {
  return std::abs(previous_kw - next_kw) > std::max(0.1, 0.02 * std::max(std::abs(previous_kw), std::abs(next_kw)));
}

// The setpoint from `now` for `hold`, then the plan's schedule (when there is one) to its end.
ocpp::PowerSchedule setpoint_schedule(double setpoint_kw, UtcTime now, Seconds hold,
                                      const std::optional<ocpp::PowerSchedule>& plan) {
  ocpp::PowerSchedule s;
  s.start = now;
  s.periods.push_back({0, std::round(setpoint_kw * 1000.0)});
  s.duration_s = static_cast<int>(hold.count());
  if (!plan) return s;
  UtcTime plan_end = plan->start + std::chrono::seconds(plan->duration_s);
  if (plan_end <= now + hold) return s;
  s.duration_s = static_cast<int>((plan_end - now).count());
  UtcTime resume = now + hold;
  s.periods.push_back({static_cast<int>(hold.count()), scheduled_w(*plan, resume)});
  for (const auto& p : plan->periods) {
    UtcTime at = plan->start + std::chrono::seconds(p.start_offset_s);
    if (at > resume) s.periods.push_back({static_cast<int>((at - now).count()), p.limit_w});
  }
  return s;
}

constexpr const char* kSignalKey = "dispatch/signal";

std::string signal_text(const DispatchSignal& s) {
  nlohmann::json j = {{"kind", s.kind == DispatchSignal::Kind::regulation ? "regulation" : "demand_response"},
                      {"start", s.start.time_since_epoch().count()}, {"end", s.end.time_since_epoch().count()},
                      {"capacity_kw", s.capacity_kw}, {"offset_kw", s.offset_kw}, {"signal", s.signal}};
  return j.dump();
}

std::optional<DispatchSignal> signal_from_text(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  try {
    DispatchSignal s;
    s.kind = j.at("kind") == "regulation" ? DispatchSignal::Kind::regulation : DispatchSignal::Kind::demand_response;
    s.start = UtcTime{std::chrono::seconds(j.at("start").get<std::int64_t>())};
    s.end = UtcTime{std::chrono::seconds(j.at("end").get<std::int64_t>())};
    s.capacity_kw = j.at("capacity_kw").get<double>();
    s.offset_kw = j.at("offset_kw").get<double>();
    s.signal = j.at("signal").get<std::vector<double>>();
    return s;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;  // not a signal this version wrote
  }
}

}  // namespace

DispatchLoop::DispatchLoop(FleetBridge& bridge, store::Store& store, DispatchConfig config)
    : bridge_(bridge), store_(store), config_(config) {
  auto text = store_.value(kSignalKey);
  auto signal = text ? signal_from_text(*text) : std::nullopt;
  if (!signal) return;
  state_.active = true;
  state_.signal = std::make_shared<const DispatchSignal>(std::move(*signal));
  spdlog::info("dispatch: carrying on with the stored signal until {}", format_utc(state_.signal->end));
}

void DispatchLoop::set_sink(ProfileSink* sink) {
  std::lock_guard lock(mutex_);
  sink_ = sink;
}

DispatchLoop::~DispatchLoop() { stop(); }

Status DispatchLoop::check_signal(DispatchSignal& signal, UtcTime now) const {
  constexpr Seconds kLongestEvent{7 * 24 * 3600};  // also the farthest ahead a signal may start
  if (signal.kind == DispatchSignal::Kind::regulation) {
    if (!std::isfinite(signal.capacity_kw) || signal.capacity_kw <= 0)
      return Error{"'capacity_kw' must be a positive number of kW"};
    const auto most = static_cast<std::size_t>(kLongestEvent.count() / config_.cycle_s);
    if (signal.signal.empty() || signal.signal.size() > most)
      return Error{fmt::format("'signal' must hold 1 to {} values, one per cycle (7 days)", most)};
    for (std::size_t i = 0; i < signal.signal.size(); ++i)
      if (!std::isfinite(signal.signal[i]) || std::abs(signal.signal[i]) > 1.0)
        return Error{fmt::format("'signal'[{}] must be within [-1, 1], got {}", i, signal.signal[i])};
    signal.end = signal.start + Seconds(static_cast<std::int64_t>(std::ceil(signal.signal.size() * config_.cycle_s)));
  } else {
    if (!std::isfinite(signal.offset_kw) || std::abs(signal.offset_kw) > 1e7)
      return Error{"'offset_kw' must be a number of kW"};
    if (signal.end <= signal.start) return Error{"'end' must be after 'start'"};
    if (signal.end - signal.start > kLongestEvent) return Error{"an event lasts at most 7 days"};
  }
  if (signal.end <= now) return Error{"the signal is over already (it ends " + format_utc(signal.end) + ")"};
  if (signal.start > now + kLongestEvent) return Error{"a signal starts at most 7 days ahead"};
  return ok_status();
}

Status DispatchLoop::set_signal(DispatchSignal signal, UtcTime now) {
  if (auto s = check_signal(signal, now); !s) return s;
  std::lock_guard lock(mutex_);
  if (auto stored = store_.put_value(kSignalKey, signal_text(signal)); !stored) return stored;
  state_ = DispatchState{};
  state_.active = true;
  state_.signal = std::make_shared<const DispatchSignal>(std::move(signal));
  ++generation_;
  error_sum_kw_ = 0;
  sent_.clear();
  release_locked();  // the plans go out again until the new signal is in force
  return ok_status();
}

Result<bool> DispatchLoop::clear_signal() {
  std::lock_guard lock(mutex_);
  if (!state_.active) return false;
  if (auto s = finish_locked(); !s) return s.error();
  return true;
}

Status DispatchLoop::finish_locked() {
  if (auto erased = store_.erase_value(kSignalKey); !erased) return erased;
  state_.active = false;
  ++generation_;
  sent_.clear();
  release_locked();  // the plan's own profiles replace the setpoints
  return ok_status();
}

void DispatchLoop::release_locked() {
  if (!holding_) return;
  holding_ = false;
  bridge_.hold_profiles(false);
}

DispatchState DispatchLoop::state() const {
  std::lock_guard lock(mutex_);
  return state_;
}

void DispatchLoop::cycle(UtcTime now) {
  std::unique_lock lock(mutex_);
  if (!state_.active || now < state_.signal->start) return;
  const std::shared_ptr<const DispatchSignal> signal_ptr = state_.signal;
  const DispatchSignal& signal = *signal_ptr;
  const std::uint64_t generation = generation_;
  const bool regulation = signal.kind == DispatchSignal::Kind::regulation;
  const auto index = static_cast<std::size_t>(static_cast<double>((now - signal.start).count()) / config_.cycle_s);
  if (regulation ? index >= signal.signal.size() : now >= signal.end) {
    if (auto s = finish_locked(); !s)
      spdlog::error("dispatch: the signal ended but its end is not stored: {}", s.error().message);
    return;
  }
  if (!holding_) {  // in force from now: the plan is the baseline, not sent over the setpoints
    holding_ = true;
    bridge_.hold_profiles(true);
  }
  auto sent = sent_;
  lock.unlock();  // the bridge has its own lock

  const auto sessions = bridge_.dispatchable();
  DispatchFleet fleet;
  fleet.resize(sessions.size());
  double baseline_kw = 0, measured_kw = 0;
  for (std::size_t i = 0; i < sessions.size(); ++i) {
    const SessionState& s = sessions[i].state;
    SessionWindow w = session_window(s, bridge_.v2g_for_all());
    double net_kwh = s.net_wh() / 1000.0;
    fleet.baseline_kw[i] = sessions[i].plan ? scheduled_w(*sessions[i].plan, now) / 1000.0 : 0.0;
    fleet.charge_max_kw[i] = s.max_power_kw;
    fleet.discharge_max_kw[i] = w.discharge_max_kw;
    fleet.ramp_kw_per_s[i] = kInstantRampKwPerS;
    fleet.energy_kwh[i] = net_kwh;
    fleet.e_min_kwh[i] = net_kwh + w.floor_kwh;
    fleet.e_max_kwh[i] = net_kwh + w.ceiling_kwh;
    fleet.target_kwh[i] = net_kwh + w.need_kwh;
    fleet.eta_charge[i] = fleet.eta_discharge[i] = 1.0;
    fleet.departure_s[i] = epoch_s(s.departure);
    auto last = sent.find({s.station_id, s.transaction_id});
    fleet.last_setpoint_kw[i] = last != sent.end() ? last->second.kw : fleet.baseline_kw[i];
    fleet.discharge_left_kwh[i] = w.discharge_cap_kwh;
    baseline_kw += fleet.baseline_kw[i];
    measured_kw += s.power_w.value_or(0.0) / 1000.0;
  }
  double offset_kw = regulation ? signal.signal[index] * signal.capacity_kw : signal.offset_kw;
  std::vector<double> setpoint_kw(sessions.size());
  CycleOutcome outcome = dispatch_cycle(fleet, epoch_s(now), baseline_kw + offset_kw, config_, setpoint_kw);

  // A setpoint goes out when it moved, and again before its hold runs out (a steady car stays commanded).
  Seconds hold = regulation ? kRegulationHold : std::chrono::duration_cast<Seconds>(signal.end - now);
  std::vector<ProfilePush> batch;
  for (std::size_t i = 0; i < sessions.size(); ++i) {
    const SessionState& s = sessions[i].state;
    auto last = sent.find({s.station_id, s.transaction_id});
    bool fresh = last != sent.end() && now - last->second.at < kRegulationHold / 2;
    if (fresh && !moved(last->second.kw, setpoint_kw[i])) continue;
    sent[{s.station_id, s.transaction_id}] = {setpoint_kw[i], now};
    batch.push_back({s.station_id, s.transaction_id, s.evse_id, FleetBridge::profile_id(s.station_id, s.transaction_id),
                     setpoint_schedule(setpoint_kw[i], now, hold, sessions[i].plan)});
  }

  lock.lock();
  if (!state_.active || generation_ != generation) return;  // cleared or replaced meanwhile
  state_.cycles++;
  state_.cars = sessions.size();
  state_.last = outcome;
  state_.baseline_kw = baseline_kw;
  state_.measured_kw = measured_kw;
  error_sum_kw_ += std::abs(outcome.setpoint_kw - outcome.assigned_kw);
  state_.error_kw_mean_abs = error_sum_kw_ / static_cast<double>(state_.cycles);
  state_.profiles_sent += batch.size();
  sent_ = std::move(sent);
  ProfileSink* sink = sink_;
  lock.unlock();
  if (sink && !batch.empty()) sink->push_profiles(std::move(batch));
}

void DispatchLoop::start() {
  thread_ = std::thread([this] {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      lock.unlock();
      cycle(ocpp::utc_now());
      lock.lock();
      wake_.wait_for(lock, std::chrono::duration<double>(config_.cycle_s), [this] { return stopping_; });
    }
  });
}

void DispatchLoop::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace voltpool::server
