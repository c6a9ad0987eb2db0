#include "server/fleet_bridge.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <stdexcept>

#include "ocpp/csms/context.hpp"
#include "flex/envelope.hpp"
#include "plan/exact_solver.hpp"
#include "plan/fast_solver.hpp"

namespace voltpool::server {

namespace {

// Storage failures must not be acknowledged: the OCPP endpoint turns this into an InternalError CALLERROR.
template <class T>
T stored(Result<T> r) {
  if (!r) throw std::runtime_error(r.error().message);
  return std::move(r).value();
}
void stored(const Status& s) {
  if (!s) throw std::runtime_error(s.error().message);
}

// Among equal prices, earlier charging: a tie-break far below any real price difference.
constexpr double kEarlierIsBetterEurPerKwhPerStep = 1e-7;
constexpr std::size_t kExactSolverMaxVehicles = 500;

double limit_at(const ocpp::PowerSchedule& s, UtcTime t) {
  auto offset = std::chrono::duration_cast<std::chrono::seconds>(t - s.start).count();
  if (offset < 0 || offset >= s.duration_s || s.periods.empty()) return -1;  // not covered
  double limit = s.periods.front().limit_w;
  for (const auto& p : s.periods)
    if (p.start_offset_s <= offset) limit = p.limit_w;
  return limit;
}

// Whether `next` asks anything materially different from `previous` for the time from `now` on: a limit that
// moves by more than 2 % (at least 100 W), or a different end. Re-plans every few seconds move the optimum by
// rounding-sized amounts (the current step's partial presence shrinks); those are not worth a message.
bool differs(const std::optional<ocpp::PowerSchedule>& previous, const ocpp::PowerSchedule& next, UtcTime now) {
  if (!previous) return true;
  if (previous->start + std::chrono::seconds(previous->duration_s) != next.start + std::chrono::seconds(next.duration_s))
    return true;
  for (const auto& p : next.periods) {
    UtcTime t = std::max(now, next.start + std::chrono::seconds(p.start_offset_s));
    double a = limit_at(*previous, t), b = limit_at(next, t);
    if (std::abs(a - b) > std::max(100.0, 0.02 * std::max(std::abs(a), std::abs(b)))) return true;
  }
  return false;
}

}  // namespace

FleetBridge::FleetBridge(store::Store& store, BridgeOptions options) : store_(store), options_(std::move(options)) {
  for (const auto& t : store_.open_transactions()) sessions_[{t.station_id, t.transaction_id}] = make_session(t);
  dirty_ = !sessions_.empty();
}

void FleetBridge::set_sink(ProfileSink* sink) {
  std::lock_guard lock(mutex_);
  sink_ = sink;
}

double FleetBridge::station_power_kw(const std::string& station_id) const {
  auto station = store_.station(station_id);
  return station && station->max_power_kw > 0 ? station->max_power_kw : options_.default_max_power_kw;
}

SessionState FleetBridge::make_session(const store::TransactionRecord& t) const {
  SessionState s;
  s.station_id = t.station_id;
  s.transaction_id = t.transaction_id;
  s.evse_id = t.evse_id;
  s.started = t.started;
  s.max_power_kw = station_power_kw(t.station_id);
  s.energy_needed_kwh = options_.default_energy_kwh;
  s.needs_time = t.started;
  s.meter_start_wh = t.meter_start_wh;
  if (t.last_energy_import_wh && t.meter_start_wh) s.delivered_wh = *t.last_energy_import_wh - *t.meter_start_wh;
  s.departure = t.started + options_.default_dwell;
  if (auto owner = store_.owner_of_id_token(t.id_token)) {
    s.owner_id = *owner;
    if (auto p = store_.preferences(*owner)) apply_preferences(s, *p);
  }
  return s;
}

void FleetBridge::apply_preferences(SessionState& s, const store::OwnerPreferences& p) {
  if (p.departure_minute_utc) {
    UtcTime day{std::chrono::floor<std::chrono::days>(s.started)};
    UtcTime departure = day + std::chrono::minutes(*p.departure_minute_utc);
    if (departure <= s.started) departure += std::chrono::days(1);
    s.departure = departure;
  }
  if (p.target_energy_kwh) s.energy_needed_kwh = *p.target_energy_kwh;
  s.v2g_consent = p.v2g_consent;
}

void FleetBridge::preferences_changed(const std::string& owner_id) {
  auto p = store_.preferences(owner_id);
  if (!p) return;
  std::lock_guard lock(mutex_);
  for (auto& [key, s] : sessions_) {
    if (s.owner_id != owner_id) continue;
    apply_preferences(s, *p);
    dirty_ = true;
  }
}

int FleetBridge::boot(const std::string& station_id, const ocpp::BootInfo& info) {
  stored(store_.record_boot(station_id, info, ocpp::utc_now()));
  station_connected(station_id);
  return options_.heartbeat_interval_s;
}

void FleetBridge::connector_status(const std::string& station_id, int evse_id, int connector_id,
                                   const std::string& status, UtcTime time) {
  stored(store_.record_status(station_id, evse_id, connector_id, status, time));
}

ocpp::TokenStatus FleetBridge::authorize(const std::string&, const std::string& id_token) {
  if (!options_.id_token_allow_list) return ocpp::TokenStatus::accepted;
  return store_.id_token_allowed(id_token) ? ocpp::TokenStatus::accepted : ocpp::TokenStatus::invalid;
}

std::string FleetBridge::start_transaction(const ocpp::TransactionStart& start) {
  std::string id = stored(store_.start_transaction(start));
  auto record = store_.transaction(start.station_id, id);
  if (!record) throw std::runtime_error("transaction " + id + " vanished after it was stored");
  std::lock_guard lock(mutex_);
  Key key{start.station_id, id};
  if (!sessions_.count(key) && !record->stopped) {
    SessionState s = make_session(*record);
    if (auto it = pending_needs_.find({start.station_id, start.evse_id}); it != pending_needs_.end()) {
      if (it->second.energy_kwh) s.energy_needed_kwh = *it->second.energy_kwh;
      if (it->second.departure) s.departure = *it->second.departure;
      if (it->second.max_charge_w) s.max_power_kw = std::min(s.max_power_kw, *it->second.max_charge_w / 1000.0);
      apply_v2x(s, it->second);
      pending_needs_.erase(it);
    }
    sessions_[key] = s;
    dirty_ = true;
  }
  return id;
}

bool FleetBridge::meter_values(const std::string& station_id, const std::string& transaction_id, int evse_id,
                               std::span<const ocpp::MeterSample> samples) {
  if (!stored(store_.add_meter_values(station_id, transaction_id, evse_id, samples))) return false;
  if (transaction_id.empty()) return true;
  // The latest import register of these samples (the store keeps the same as last_energy_import_wh).
  std::optional<double> latest_wh;
  for (const auto& m : samples)
    if (m.energy_import_wh) latest_wh = m.energy_import_wh;
  if (!latest_wh) return true;
  std::lock_guard lock(mutex_);
  if (auto it = sessions_.find({station_id, transaction_id}); it != sessions_.end() && it->second.meter_start_wh)
    it->second.delivered_wh = *latest_wh - *it->second.meter_start_wh;
  return true;
}

bool FleetBridge::stop_transaction(const ocpp::TransactionStop& stop) {
  if (!stored(store_.stop_transaction(stop))) return false;
  std::lock_guard lock(mutex_);
  Key key{stop.station_id, stop.transaction_id};
  if (sessions_.erase(key)) dirty_ = true;
  pushed_.erase(key);
  return true;
}

void FleetBridge::charging_needs(const std::string& station_id, int evse_id, const ocpp::ChargingNeeds& needs) {
  std::lock_guard lock(mutex_);
  SessionState* target = nullptr;
  for (auto& [key, s] : sessions_)
    if (s.station_id == station_id && s.evse_id == evse_id && (!target || s.started >= target->started)) target = &s;
  if (!target) {
    pending_needs_[{station_id, evse_id}] = needs;
    return;
  }
  auto now = ocpp::utc_now();
  if (needs.energy_kwh) {
    target->energy_needed_kwh = *needs.energy_kwh;
    target->needs_time = now;
    target->delivered_at_needs_wh = target->delivered_wh;
  }
  if (needs.departure) target->departure = *needs.departure;
  if (needs.max_charge_w && *needs.max_charge_w > 0)
    target->max_power_kw = std::min(station_power_kw(station_id), *needs.max_charge_w / 1000.0);
  apply_v2x(*target, needs);
  dirty_ = true;
}

void FleetBridge::apply_v2x(SessionState& s, const ocpp::ChargingNeeds& needs) const {
  if (!needs.max_discharge_w || *needs.max_discharge_w <= 0) return;
  // The window is measured from the needs: energy delivered since then moves the car inside it.
  s.max_discharge_kw = std::min(s.max_power_kw, *needs.max_discharge_w / 1000.0);
  s.min_energy_kwh = needs.min_energy_kwh;
  s.max_energy_kwh = needs.max_energy_kwh;
}

void FleetBridge::station_disconnected(const std::string& station_id) {
  std::lock_guard lock(mutex_);
  if (!offline_.insert(station_id).second) return;
  for (const auto& [key, s] : sessions_)
    if (key.first == station_id) dirty_ = true;
}

void FleetBridge::station_connected(const std::string& station_id) {
  std::lock_guard lock(mutex_);
  offline_.erase(station_id);
  for (auto it = pushed_.begin(); it != pushed_.end();)
    it = it->first.first == station_id ? pushed_.erase(it) : std::next(it);
  for (const auto& [key, s] : sessions_)
    if (key.first == station_id) dirty_ = true;
}

void FleetBridge::set_prices(std::optional<TimeSeries> prices_eur_per_kwh) {
  std::lock_guard lock(mutex_);
  options_.prices_eur_per_kwh = std::move(prices_eur_per_kwh);
  dirty_ = true;
}

std::optional<TimeSeries> FleetBridge::prices() const {
  std::lock_guard lock(mutex_);
  return options_.prices_eur_per_kwh;
}

void FleetBridge::profile_failed(const std::string& station_id, const std::string& transaction_id) {
  std::lock_guard lock(mutex_);
  pushed_.erase({station_id, transaction_id});
}

bool FleetBridge::needs_replan() const {
  std::lock_guard lock(mutex_);
  return dirty_;
}

std::vector<SessionState> FleetBridge::planned_sessions(std::optional<TimeSeries>& prices, bool clear_dirty) {
  std::lock_guard lock(mutex_);
  if (clear_dirty) dirty_ = false;
  std::vector<SessionState> sessions;
  for (const auto& [key, s] : sessions_)
    if (!offline_.count(key.first)) sessions.push_back(s);
  prices = options_.prices_eur_per_kwh;
  return sessions;
}

PlanningProblem FleetBridge::problem_for(const std::vector<SessionState>& sessions,
                                         const std::optional<TimeSeries>& prices, UtcTime now, TimeGrid& grid) const {
  grid = TimeGrid{std::chrono::floor<std::chrono::seconds>(now - (now.time_since_epoch() % options_.plan_step)),
                  options_.plan_step, options_.plan_horizon_steps};
  PlanningProblem p;
  p.steps = grid.steps;
  p.dt_h = grid.dt_h();
  double last_price = 0;
  for (int t = 0; t < grid.steps; ++t) {
    if (prices)
      if (auto price = prices->at(grid.time_of(t))) last_price = *price;
    p.import_price_eur_per_kwh.push_back(last_price + kEarlierIsBetterEurPerKwhPerStep * t);
  }
  p.export_price_eur_per_kwh = p.import_price_eur_per_kwh;
  p.import_limit_kw.assign(grid.steps, options_.site_limit_kw > 0 ? options_.site_limit_kw : kNoLimit);
  p.wear_eur_per_kwh = options_.wear_eur_per_kwh;
  p.export_limit_kw.assign(grid.steps, kNoLimit);
  const double step_s = static_cast<double>(grid.step.count());
  for (const SessionState& s : sessions) {
    double need_kwh = std::max(0.0, s.energy_needed_kwh - (s.delivered_wh - s.delivered_at_needs_wh) / 1000.0);
    double to_departure_s = static_cast<double>((s.departure - grid.start).count());
    int end = std::clamp(static_cast<int>(std::ceil(to_departure_s / step_s)), 1, grid.steps);
    double first = std::clamp(1.0 - static_cast<double>((now - grid.start).count()) / step_s, 1e-3, 1.0);
    double last = end * step_s <= to_departure_s ? 1.0 : std::clamp(to_departure_s / step_s - (end - 1), 1e-3, 1.0);
    if (end == 1) first = last = std::min(first, last);
    double delivered_since_needs_kwh = (s.delivered_wh - s.delivered_at_needs_wh) / 1000.0;
    bool v2g = s.may_discharge(options_.v2g);
    // Energy relative to now: 0 now, the remaining need at departure; with V2G the EV's window around it.
    double floor_kwh = v2g && s.min_energy_kwh ? std::min(0.0, *s.min_energy_kwh - delivered_since_needs_kwh) : 0.0;
    double ceiling_kwh = v2g && s.max_energy_kwh ? std::max(need_kwh, *s.max_energy_kwh - delivered_since_needs_kwh)
                                                 : need_kwh;
    p.vehicles.add(0, end, first, last, s.max_power_kw, v2g ? s.max_discharge_kw : 0.0, 0.0, floor_kwh, ceiling_kwh,
                   need_kwh, 1.0, 1.0);
  }
  return p;
}

FleetFlexibility FleetBridge::flexibility(UtcTime now) {
  std::optional<TimeSeries> prices;
  auto sessions = planned_sessions(prices, false);
  FleetFlexibility out;
  PlanningProblem p = problem_for(sessions, prices, now, out.grid);
  out.envelope = fleet_envelope(p);
  out.site_limit_kw = options_.site_limit_kw;
  out.vehicles = sessions.size();
  return out;
}

bool FleetBridge::replan(UtcTime now) {
  auto t0 = std::chrono::steady_clock::now();
  std::optional<TimeSeries> prices;
  auto sessions = planned_sessions(prices, true);
  TimeGrid grid;
  PlanningProblem p = problem_for(sessions, prices, now, grid);
  Result<Plan> plan = sessions.size() <= kExactSolverMaxVehicles ? solve_exact(p) : solve_fast(p);
  if (!plan) return false;

  std::vector<std::tuple<SessionState, ocpp::PowerSchedule>> to_push;
  for (std::size_t i = 0; i < sessions.size(); ++i) {
    ocpp::PowerSchedule schedule;
    schedule.start = grid.start;
    auto kw = plan->of(i);
    schedule.duration_s = static_cast<int>(kw.size()) * static_cast<int>(grid.step.count());
    for (std::size_t k = 0; k < kw.size(); ++k) {
      // A step mean over a partial presence is a higher power while present (up to the charger's).
      double fraction = p.vehicles.fraction(i, static_cast<int>(k));
      double discharge_kw = sessions[i].may_discharge(options_.v2g) ? sessions[i].max_discharge_kw : 0.0;
      double w = std::round(std::clamp(kw[k] / fraction, -discharge_kw, sessions[i].max_power_kw) * 1000.0);
      if (schedule.periods.empty() || std::abs(schedule.periods.back().limit_w - w) > 0.5)
        schedule.periods.push_back({static_cast<int>(k) * static_cast<int>(grid.step.count()), w});
    }
    to_push.emplace_back(sessions[i], schedule);
  }
  std::vector<ProfilePush> batch;
  std::lock_guard lock(mutex_);
  stats_.plans++;
  stats_.last_plan_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  for (auto& [s, schedule] : to_push) {
    Key key{s.station_id, s.transaction_id};
    if (!sessions_.count(key)) continue;  // ended while planning
    auto previous = pushed_.find(key);
    if (!differs(previous == pushed_.end() ? std::nullopt : std::optional(previous->second), schedule, now)) continue;
    if (!sink_) continue;
    pushed_[key] = schedule;
    stats_.profiles_pushed++;
    batch.push_back({s.station_id, s.transaction_id, s.evse_id, profile_id(s.station_id, s.transaction_id), schedule});
  }
  if (sink_ && !batch.empty()) sink_->push_profiles(std::move(batch));
  return true;
}

BridgeStats FleetBridge::stats() const {
  std::lock_guard lock(mutex_);
  BridgeStats s = stats_;
  s.open_sessions = sessions_.size();
  return s;
}

std::vector<SessionState> FleetBridge::sessions() const {
  std::lock_guard lock(mutex_);
  std::vector<SessionState> out;
  for (const auto& [key, s] : sessions_) out.push_back(s);
  return out;
}

std::optional<ocpp::PowerSchedule> FleetBridge::pushed(const std::string& station_id,
                                                       const std::string& transaction_id) const {
  std::lock_guard lock(mutex_);
  auto it = pushed_.find({station_id, transaction_id});
  if (it == pushed_.end()) return std::nullopt;
  return it->second;
}

int FleetBridge::profile_id(const std::string& station_id, const std::string& transaction_id) {
  // FNV-1a over station and transaction: stable across runs (std::hash is not guaranteed to be).
  std::uint32_t h = 2166136261u;
  for (char c : station_id + '\n' + transaction_id) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
  return static_cast<int>(h & 0x7fffffff) | 1;
}

}  // namespace voltpool::server
