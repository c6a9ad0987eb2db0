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
#include "server/needs_record.hpp"
#include "server/session_window.hpp"

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
// Needs an EV says this long before its transaction starts are that transaction's (ISO 15118 may come first).
constexpr Seconds kNeedsBeforeStart{10 * 60};
constexpr std::size_t kRecentlyStopped = 10'000;  // stopped sessions remembered, against late starts

bool covers(const ocpp::PowerSchedule& s, UtcTime t) {
  auto offset = std::chrono::duration_cast<std::chrono::seconds>(t - s.start).count();
  return offset >= 0 && offset < s.duration_s && !s.periods.empty();
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
    double a = covers(*previous, t) ? scheduled_w(*previous, t) : -1, b = covers(next, t) ? scheduled_w(next, t) : -1;
    if (std::abs(a - b) > std::max(100.0, 0.02 * std::max(std::abs(a), std::abs(b)))) return true;
  }
  return false;
}

// A meter sample moves the session's delivered and exported energy and its state of charge.
void record_sample(SessionState& s, const ocpp::MeterSample& m) {
  if (m.energy_import_wh && s.meter_start_wh) s.delivered_wh = *m.energy_import_wh - *s.meter_start_wh;
  if (m.energy_export_wh) {
    if (!s.export_start_wh) s.export_start_wh = m.energy_export_wh;
    s.exported_wh = *m.energy_export_wh - *s.export_start_wh;
  }
  if (m.power_w) s.power_w = m.power_w;
  if (m.soc_pct) {
    s.soc_pct = m.soc_pct;
    s.net_at_soc_wh = s.net_wh();
  }
}

}  // namespace

double scheduled_w(const ocpp::PowerSchedule& s, UtcTime t) {
  if (!covers(s, t)) return 0;
  auto offset = std::chrono::duration_cast<std::chrono::seconds>(t - s.start).count();
  double limit = s.periods.front().limit_w;
  for (const auto& p : s.periods)
    if (p.start_offset_s <= offset) limit = p.limit_w;
  return limit;
}

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

SessionTerms FleetBridge::terms_for(const std::string& station_id, const std::string& id_token) const {
  SessionTerms t;
  t.station_max_kw = station_power_kw(station_id);
  t.vehicle = store_.vehicle_of_id_token(id_token);
  if (auto owner = store_.owner_of_id_token(id_token)) {
    t.owner_id = *owner;
    t.preferences = store_.preferences(*owner);
    if (t.preferences && (t.preferences->wear_budget_eur || t.preferences->weekly_discharge_cap_kwh)) {
      auto exported = owner_exports(*owner, ocpp::utc_now());
      t.owner_exported_this_year_kwh = exported.this_year_kwh;
      t.owner_exported_this_week_kwh = exported.this_week_kwh;
    }
  }
  return t;
}

OwnerExports FleetBridge::owner_exports(const std::string& owner_id, UtcTime now) const {
  auto today = std::chrono::floor<std::chrono::days>(now);
  auto year = std::chrono::year_month_day(today).year();
  UtcTime year_start{std::chrono::sys_days(year / std::chrono::January / 1)};
  UtcTime week_start{today - std::chrono::days((std::chrono::weekday(today).c_encoding() + 6) % 7)};
  OwnerExports out;
  // Settled sessions that ended in the year or the week (stopped after its start).
  for (const auto& r : store_.settlements(owner_id, year_start, std::nullopt)) out.this_year_kwh += r.settlement.export_kwh;
  for (const auto& r : store_.settlements(owner_id, week_start, std::nullopt)) out.this_week_kwh += r.settlement.export_kwh;
  return out;
}

TermDefaults FleetBridge::term_defaults() const {
  return {options_.default_energy_kwh, options_.default_dwell, options_.wear_eur_per_kwh};
}

// Reads the store (outside the bridge's lock): the transaction's meter values, terms and the needs its EV said.
SessionState FleetBridge::make_session(const store::TransactionRecord& t) const {
  SessionState s;
  s.station_id = t.station_id;
  s.transaction_id = t.transaction_id;
  s.id_token = t.id_token;
  s.evse_id = t.evse_id;
  s.started = t.started;
  s.meter_start_wh = t.meter_start_wh;
  s.terms = terms_for(t.station_id, t.id_token);
  // The EV's needs said for this session (kept by the store): applied where the meter stood when they were said.
  std::optional<NeedsRecord> needs;
  if (auto text = store_.value(needs_key(t.station_id, t.evse_id))) needs = needs_from_text(*text);
  if (needs && needs->said_at < t.started - kNeedsBeforeStart) needs.reset();  // an earlier session's
  double net_at_needs_wh = 0;
  for (const auto& m : store_.meter_values(t.station_id, t.transaction_id)) {
    record_sample(s, m.sample);
    if (needs && m.sample.time <= needs->said_at) net_at_needs_wh = s.net_wh();
  }
  // A transaction whose register readings came with its events only (no stored sample) has its latest one.
  if (s.delivered_wh == 0 && t.last_energy_import_wh && t.meter_start_wh)
    s.delivered_wh = *t.last_energy_import_wh - *t.meter_start_wh;
  if (needs) s.ev = StatedNeeds{needs->needs, std::max(needs->said_at, t.started), net_at_needs_wh};
  apply_terms(s, term_defaults(), ocpp::utc_now());
  return s;
}

// An owner's preferences or vehicles changed: their open sessions (and any whose id token is now theirs) take the
// terms again, read outside the lock.
void FleetBridge::preferences_changed(const std::string& owner_id) {
  std::set<std::string> tokens;  // the owner's vehicles' tokens: a vehicle just registered may claim a session
  for (const auto& v : store_.vehicles(owner_id))
    if (!v.id_token.empty()) tokens.insert(v.id_token);
  std::vector<std::pair<Key, std::string>> affected;  // with their id tokens
  {
    std::lock_guard lock(mutex_);
    for (const auto& [key, s] : sessions_)
      if (s.terms.owner_id == owner_id || tokens.count(s.id_token)) affected.emplace_back(key, s.id_token);
  }
  std::vector<std::pair<Key, SessionTerms>> fresh;
  for (const auto& [key, token] : affected) fresh.emplace_back(key, terms_for(key.first, token));
  std::lock_guard lock(mutex_);
  auto now = ocpp::utc_now();
  for (auto& [key, terms] : fresh) {
    auto it = sessions_.find(key);
    if (it == sessions_.end()) continue;  // ended meanwhile
    it->second.terms = std::move(terms);
    apply_terms(it->second, term_defaults(), now);
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
  if (record->stopped) return id;
  SessionState s = make_session(*record);  // with the needs said just before the start, if any
  std::lock_guard lock(mutex_);
  Key key{start.station_id, id};
  if (sessions_.count(key) || recently_stopped_.count(key)) return id;  // a repeated start, or stopped meanwhile
  // Needs said while the session was being read from the store.
  if (auto it = pending_needs_.find({start.station_id, start.evse_id}); it != pending_needs_.end()) {
    bool this_sessions = it->second.said_at >= s.started - kNeedsBeforeStart;
    if (this_sessions && (!s.ev || it->second.said_at > s.ev->said_at)) {
      s.ev = StatedNeeds{it->second.needs, std::max(it->second.said_at, s.started), s.net_wh()};
      apply_terms(s, term_defaults(), ocpp::utc_now());
    }
    pending_needs_.erase(it);
  }
  sessions_[key] = std::move(s);
  dirty_ = true;
  return id;
}

bool FleetBridge::meter_values(const std::string& station_id, const std::string& transaction_id, int evse_id,
                               std::span<const ocpp::MeterSample> samples) {
  if (!stored(store_.add_meter_values(station_id, transaction_id, evse_id, samples))) return false;
  if (transaction_id.empty()) return true;
  std::lock_guard lock(mutex_);
  if (auto it = sessions_.find({station_id, transaction_id}); it != sessions_.end())
    for (const auto& m : samples) record_sample(it->second, m);
  return true;
}

bool FleetBridge::stop_transaction(const ocpp::TransactionStop& stop) {
  if (!stored(store_.stop_transaction(stop))) return false;
  // What its EV said ends with the session: the next car on that EVSE starts from the defaults. (A station's
  // messages come in order, so the next car's needs cannot have come before this stop.)
  if (auto t = store_.transaction(stop.station_id, stop.transaction_id)) {
    std::string key = needs_key(t->station_id, t->evse_id);
    if (store_.value(key)) stored(store_.erase_value(key));
  }
  std::lock_guard lock(mutex_);
  Key key{stop.station_id, stop.transaction_id};
  stats_.sessions_stopped++;
  // A start being read from the store on another connection (a station that reconnected) must not bring the
  // session back after its stop.
  if (recently_stopped_.insert(key).second) {
    stopped_order_.push_back(key);
    if (stopped_order_.size() > kRecentlyStopped) {
      recently_stopped_.erase(stopped_order_.front());
      stopped_order_.pop_front();
    }
  }
  if (sessions_.erase(key)) dirty_ = true;
  pushed_.erase(key);
  return true;
}

void FleetBridge::charging_needs(const std::string& station_id, int evse_id, const ocpp::ChargingNeeds& needs) {
  auto now = ocpp::utc_now();
  // Kept before it is acknowledged: a restarted service plans with what the EV said.
  stored(store_.put_value(needs_key(station_id, evse_id), needs_text({needs, now})));
  std::lock_guard lock(mutex_);
  SessionState* target = nullptr;
  for (auto& [key, s] : sessions_)
    if (s.station_id == station_id && s.evse_id == evse_id && (!target || s.started >= target->started)) target = &s;
  if (!target) {
    pending_needs_[{station_id, evse_id}] = {needs, now};  // said before its transaction started
    return;
  }
  target->ev = StatedNeeds{needs, now, target->net_wh()};
  apply_terms(*target, term_defaults(), now);
  dirty_ = true;
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

void FleetBridge::set_carbon(std::optional<TimeSeries> carbon_kg_per_kwh) {
  std::lock_guard lock(mutex_);
  options_.carbon_kg_per_kwh = std::move(carbon_kg_per_kwh);
  if (options_.carbon_price_eur_per_t > 0) dirty_ = true;
}

std::optional<TimeSeries> FleetBridge::carbon() const {
  std::lock_guard lock(mutex_);
  return options_.carbon_kg_per_kwh;
}

void FleetBridge::profile_failed(const std::string& station_id, const std::string& transaction_id) {
  std::lock_guard lock(mutex_);
  if (holding_) return;  // a dispatch setpoint failed: the plan stays the baseline, dispatch sends again
  pushed_.erase({station_id, transaction_id});
}

bool FleetBridge::needs_replan() const {
  std::lock_guard lock(mutex_);
  return dirty_;
}

std::vector<SessionState> FleetBridge::planned_sessions(Signals& signals, bool clear_dirty) {
  std::lock_guard lock(mutex_);
  if (clear_dirty) dirty_ = false;
  std::vector<SessionState> sessions;
  for (const auto& [key, s] : sessions_)
    if (!offline_.count(key.first)) sessions.push_back(s);
  signals.prices = options_.prices_eur_per_kwh;
  if (options_.carbon_price_eur_per_t > 0) signals.carbon = options_.carbon_kg_per_kwh;
  return sessions;
}

PlanningProblem FleetBridge::problem_for(const std::vector<SessionState>& sessions, const Signals& signals,
                                         UtcTime now, TimeGrid& grid) const {
  grid = TimeGrid{std::chrono::floor<std::chrono::seconds>(now - (now.time_since_epoch() % options_.plan_step)),
                  options_.plan_step, options_.plan_horizon_steps};
  PlanningProblem p;
  p.steps = grid.steps;
  p.dt_h = grid.dt_h();
  // A step past the signal's end keeps its last value (tomorrow's auction is not out yet).
  double last_price = 0, last_carbon = 0;
  const double eur_per_kg = options_.carbon_price_eur_per_t / 1000.0;
  for (int t = 0; t < grid.steps; ++t) {
    if (signals.prices)
      if (auto price = signals.prices->at(grid.time_of(t)); price && !std::isnan(*price)) last_price = *price;
    if (signals.carbon)
      if (auto kg = signals.carbon->at(grid.time_of(t)); kg && !std::isnan(*kg)) last_carbon = *kg;
    p.import_price_eur_per_kwh.push_back(last_price + eur_per_kg * last_carbon + kEarlierIsBetterEurPerKwhPerStep * t);
  }
  p.export_price_eur_per_kwh = p.import_price_eur_per_kwh;
  p.import_limit_kw.assign(grid.steps, options_.site_limit_kw > 0 ? options_.site_limit_kw : kNoLimit);
  p.wear_eur_per_kwh = options_.wear_eur_per_kwh;
  p.export_limit_kw.assign(grid.steps, kNoLimit);
  const double step_s = static_cast<double>(grid.step.count());
  for (const SessionState& s : sessions) {
    double to_departure_s = static_cast<double>((s.departure - grid.start).count());
    int end = std::clamp(static_cast<int>(std::ceil(to_departure_s / step_s)), 1, grid.steps);
    double first = std::clamp(1.0 - static_cast<double>((now - grid.start).count()) / step_s, 1e-3, 1.0);
    double last = end * step_s <= to_departure_s ? 1.0 : std::clamp(to_departure_s / step_s - (end - 1), 1e-3, 1.0);
    if (end == 1) first = last = std::min(first, last);
    SessionWindow w = session_window(s, options_.v2g);
    p.vehicles.add(0, end, first, last, s.max_power_kw, w.discharge_max_kw, 0.0, w.floor_kwh, w.ceiling_kwh,
                   w.need_kwh, 1.0, 1.0);
    OwnerGuardrails guard;
    guard.discharge_cap_kwh = w.discharge_cap_kwh;
    p.guardrails.push_back(guard);
  }
  // Only the exact planner carries guardrails: for the fast one, a cap becomes a discharge power that cannot
  // exceed it even at full power over the whole window.
  if (sessions.size() > kExactSolverMaxVehicles || std::none_of(p.guardrails.begin(), p.guardrails.end(), [](auto& g) {
        return std::isfinite(g.discharge_cap_kwh);
      })) {
    for (std::size_t i = 0; i < p.guardrails.size(); ++i) {
      double cap = p.guardrails[i].discharge_cap_kwh;
      double hours = p.vehicles.window(i) * p.dt_h;
      if (std::isfinite(cap)) p.vehicles.discharge_max_kw[i] = std::min(p.vehicles.discharge_max_kw[i], cap / hours);
    }
    p.guardrails.clear();
  }
  return p;
}

FleetFlexibility FleetBridge::flexibility(UtcTime now) {
  Signals signals;
  auto sessions = planned_sessions(signals, false);
  FleetFlexibility out;
  PlanningProblem p = problem_for(sessions, signals, now, out.grid);
  out.envelope = fleet_envelope(p);
  out.site_limit_kw = options_.site_limit_kw;
  out.vehicles = sessions.size();
  return out;
}

bool FleetBridge::replan(UtcTime now) {
  auto t0 = std::chrono::steady_clock::now();
  Signals signals;
  auto sessions = planned_sessions(signals, true);
  TimeGrid grid;
  PlanningProblem p = problem_for(sessions, signals, now, grid);
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
      double discharge_kw = p.vehicles.discharge_max_kw[i];
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
    if (holding_) continue;  // dispatch commands the cars: the plan is kept as its baseline, sent afterwards
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

std::vector<DispatchableSession> FleetBridge::dispatchable() const {
  std::lock_guard lock(mutex_);
  std::vector<DispatchableSession> out;
  for (const auto& [key, s] : sessions_) {
    if (offline_.count(key.first)) continue;
    auto plan = pushed_.find(key);
    out.push_back({s, plan == pushed_.end() ? std::nullopt : std::optional(plan->second)});
  }
  return out;
}

void FleetBridge::resend_profiles() {
  std::lock_guard lock(mutex_);
  pushed_.clear();
  dirty_ = !sessions_.empty();
}

void FleetBridge::hold_profiles(bool hold) {
  std::lock_guard lock(mutex_);
  holding_ = hold;
  if (hold) return;
  pushed_.clear();  // what was planned meanwhile goes out at the next re-plan
  dirty_ = !sessions_.empty();
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
