// The bridge between OCPP and the planning core: it records what stations report (through the store), keeps
// the fleet's open sessions and their owners' needs, re-plans the fleet when something changed and hands each
// transaction's new power schedule to a ProfileSink (the OCPP server), only when it differs from the last one
// pushed. Thread-safe: OCPP handlers call it from many connections; the control loop calls replan().
#pragma once

#include <deque>
#include <functional>
#include <limits>
#include <map>
#include <mutex>
#include <set>
#include <optional>
#include <string>
#include <vector>

#include "core/series.hpp"
#include "flex/envelope.hpp"
#include "plan/problem.hpp"
#include "ocpp/csms/backend.hpp"
#include "server/needs_record.hpp"
#include "server/session_state.hpp"
#include "store/store.hpp"

namespace voltpool::server {

struct ProfilePush {
  std::string station_id, transaction_id;
  int evse_id = 1;
  int profile_id = 0;
  ocpp::PowerSchedule schedule;
};

class ProfileSink {
 public:
  virtual ~ProfileSink() = default;
  // Sends each schedule to its transaction's station as its TxProfile (asynchronously; never blocks). One call per
  // re-plan: the batch is what the plan changed.
  virtual void push_profiles(std::vector<ProfilePush> batch) = 0;
};

struct BridgeOptions {
  int heartbeat_interval_s = 300;
  bool id_token_allow_list = false;      // else every id token is accepted and recorded with its session
  double default_max_power_kw = 11.0;    // a station provisioned without a power
  double default_energy_kwh = 20.0;      // what a car needs when nobody said
  Seconds default_dwell{8 * 3600};       // when a car leaves when nobody said
  double site_limit_kw = 0;              // the fleet's import limit (0: none)
  // V2G: EVs that offer discharge (OCPP 2.1 V2X charging needs) may discharge. Until owners state their consent
  // (the owner preferences of the service), this switch is the consent for every such car.
  bool v2g = false;
  double wear_eur_per_kwh = 0.03;        // what each kWh discharged costs the battery (grid side)
  std::optional<TimeSeries> prices_eur_per_kwh;  // without: earliest charging
  // Carbon-aware planning: the marginal emissions of grid energy, priced at carbon_price_eur_per_t on top of the
  // energy price (0: known and reported, not planned on).
  std::optional<TimeSeries> carbon_kg_per_kwh;
  double carbon_price_eur_per_t = 0;
  Seconds plan_step{15 * 60};
  int plan_horizon_steps = 96;
};

struct OwnerExports {
  double this_year_kwh = 0, this_week_kwh = 0;
};

// A schedule's power at `t` (W); 0 outside it.
double scheduled_w(const ocpp::PowerSchedule& schedule, UtcTime t);

// A session the dispatcher may command: its state and the plan's schedule last pushed for it.
struct DispatchableSession {
  SessionState state;
  std::optional<ocpp::PowerSchedule> plan;
};

// What the connected fleet can do from now on, per plan step (flex/envelope.hpp): each step's bounds alone.
struct FleetFlexibility {
  TimeGrid grid;
  FleetEnvelope envelope;
  double site_limit_kw = 0;  // 0: none; the import bound is at most this
  std::size_t vehicles = 0;
};

struct BridgeStats {
  std::size_t open_sessions = 0;
  std::size_t plans = 0;
  std::size_t profiles_pushed = 0;
  std::size_t sessions_stopped = 0;  // transactions stopped since the service started
  double last_plan_ms = 0;
};

class FleetBridge final : public ocpp::CsmsBackend {
 public:
  // Reloads the open transactions from `store` (a restarted service carries on with them).
  FleetBridge(store::Store& store, BridgeOptions options);

  void set_sink(ProfileSink* sink);
  // New prices (e.g. the next day-ahead auction): everything is re-planned.
  void set_prices(std::optional<TimeSeries> prices_eur_per_kwh);
  std::optional<TimeSeries> prices() const;
  // A new marginal-emissions signal: everything is re-planned.
  void set_carbon(std::optional<TimeSeries> carbon_kg_per_kwh);
  std::optional<TimeSeries> carbon() const;
  double carbon_price_eur_per_t() const { return options_.carbon_price_eur_per_t; }

  int boot(const std::string& station_id, const ocpp::BootInfo& info) override;
  void connector_status(const std::string& station_id, int evse_id, int connector_id, const std::string& status,
                        UtcTime time) override;
  ocpp::TokenStatus authorize(const std::string& station_id, const std::string& id_token) override;
  std::string start_transaction(const ocpp::TransactionStart& start) override;
  bool meter_values(const std::string& station_id, const std::string& transaction_id, int evse_id,
                    std::span<const ocpp::MeterSample> samples) override;
  bool stop_transaction(const ocpp::TransactionStop& stop) override;
  void charging_needs(const std::string& station_id, int evse_id, const ocpp::ChargingNeeds& needs) override;

  // Whether something changed since the last replan (a plug-in, a departure, new needs).
  bool needs_replan() const;
  // Plans every open session from `now` and pushes the schedules that changed. Returns false (and keeps the
  // previous schedules) when the planner failed.
  bool replan(UtcTime now);
  // A station's connection ended: its sessions stay (the car is still plugged in) but get no profile until it
  // is back; a station that comes back gets its schedules again.
  void station_connected(const std::string& station_id);
  // A station's connection is gone: its sessions leave the plan (their share of the site limit goes to the
  // others) until it is back.
  void station_disconnected(const std::string& station_id);
  // An owner changed their preferences: their open sessions take them and are re-planned.
  void preferences_changed(const std::string& owner_id);
  // The station rejected a profile or did not answer: it is sent again at the next scheduled re-plan.
  void profile_failed(const std::string& station_id, const std::string& transaction_id);

  BridgeStats stats() const;
  std::vector<SessionState> sessions() const;
  // The fleet's flexibility over the plan horizon from `now` (the cars of connected stations).
  FleetFlexibility flexibility(UtcTime now);
  // The sessions of connected stations with their plan's schedules (the dispatch loop's fleet).
  std::vector<DispatchableSession> dispatchable() const;
  bool v2g_for_all() const { return options_.v2g; }
  // Every session's plan goes out again at the next re-plan (after a dispatch overrode it).
  void resend_profiles();
  // While held (dispatch is commanding the cars), re-plans keep each plan as the dispatch baseline but send
  // nothing; released, every plan goes out again.
  void hold_profiles(bool hold);
  // What an owner's settled sessions gave back (V2G) this year and this week (from Monday 00:00 UTC): what their
  // wear budget and weekly cap have spent.
  OwnerExports owner_exports(const std::string& owner_id, UtcTime now) const;
  double wear_eur_per_kwh() const { return options_.wear_eur_per_kwh; }
  // The schedule last pushed for a transaction, if any.
  std::optional<ocpp::PowerSchedule> pushed(const std::string& station_id, const std::string& transaction_id) const;
  // A stable chargingProfileId for a transaction (same across restarts, so a new profile replaces the old).
  static int profile_id(const std::string& station_id, const std::string& transaction_id);

 private:
  using Key = std::pair<std::string, std::string>;  // station, transaction
  SessionState make_session(const store::TransactionRecord& t) const;
  SessionTerms terms_for(const std::string& station_id, const std::string& id_token) const;
  TermDefaults term_defaults() const;
  // The sessions to plan (those of connected stations) and the signals, under the lock.
  struct Signals {
    std::optional<TimeSeries> prices, carbon;
  };
  std::vector<SessionState> planned_sessions(Signals& signals, bool clear_dirty);
  // The planning problem of `sessions` from `now` (step 0 holds now); sets `grid`.
  PlanningProblem problem_for(const std::vector<SessionState>& sessions, const Signals& signals, UtcTime now,
                              TimeGrid& grid) const;
  double station_power_kw(const std::string& station_id) const;  // provisioned, else the default

  store::Store& store_;
  BridgeOptions options_;
  mutable std::mutex mutex_;
  ProfileSink* sink_ = nullptr;
  std::map<Key, SessionState> sessions_;
  std::map<Key, ocpp::PowerSchedule> pushed_;
  std::map<std::pair<std::string, int>, NeedsRecord> pending_needs_;  // said before their transaction started
  std::set<std::string> offline_;  // stations whose connection dropped
  std::set<Key> recently_stopped_;  // and the order they came in, to forget the oldest
  std::deque<Key> stopped_order_;
  bool dirty_ = false;
  bool holding_ = false;
  BridgeStats stats_;
};

}  // namespace voltpool::server
