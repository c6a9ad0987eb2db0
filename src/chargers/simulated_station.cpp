#include "chargers/simulated_station.hpp"

#include <algorithm>

namespace voltpool::chargers {

using nlohmann::json;

SimulatedStation::SimulatedStation(std::string id, ProtocolVersion version, double max_power_kw,
                                   std::vector<PlannedSession> sessions, Seconds meter_interval)
    : id_(std::move(id)),
      version_(version),
      max_power_kw_(max_power_kw),
      sessions_(std::move(sessions)),
      meter_interval_(meter_interval) {}

double SimulatedStation::power_w(UtcTime t) const {
  if (!active_ || !active_->id_known) return 0;
  const PlannedSession& s = active_->session;
  double max_w = std::min(max_power_kw_, s.ev_max_kw) * 1000.0;
  double w = default_limit_w_ ? std::clamp(*default_limit_w_, 0.0, max_w) : max_w;  // no TxProfile in force
  if (const auto& p = active_->profile) {
    const auto& schedule = p->schedule;
    auto offset = (t - schedule.start).count();
    if (offset >= 0 && (schedule.duration_s == 0 || offset < schedule.duration_s)) {
      double limit = w;
      for (const auto& period : schedule.periods)
        if (period.start_offset_s <= offset) limit = period.limit_w;
      w = std::clamp(limit, s.v2x_offer_kwh > 0 ? -max_w : 0.0, max_w);
    }
  }
  if (w > 0 && active_->delivered_wh >= s.ceiling_wh()) return 0;
  if (w < 0 && active_->delivered_wh <= s.floor_wh()) return 0;
  return w;
}

void SimulatedStation::count_result(const ocpp::rpc::CallOutcome& outcome) {
  if (outcome.ok) return;
  if (counters_.calls_failed++ == 0) counters_.first_call_error = outcome.error;
}

void SimulatedStation::advance(UtcTime now, std::vector<OutgoingCall>& out) {
  auto counted = [this](const ocpp::rpc::CallOutcome& o) { count_result(o); };
  if (!booted_) {
    out.push_back({boot_notification(version_), counted});
    out.push_back({status_notification(version_, 1, false, now), counted});
    booted_ = true;
    last_ = now;
  }
  // Energy since the last step, at the power that was in force then (within the car's energy window).
  if (active_ && now > last_) {
    const PlannedSession& s = active_->session;
    double hours = static_cast<double>((now - last_).count()) / 3600.0;
    double wh = std::clamp(power_w(last_) * hours, s.floor_wh() - active_->delivered_wh,
                           s.ceiling_wh() - active_->delivered_wh);
    active_->delivered_wh += wh;
    if (wh >= 0) register_wh_ += wh;  // the import register; what V2X gives back is not imported
    else {
      export_register_wh_ += -wh;
      counters_.energy_discharged_kwh += -wh / 1000.0;
    }
    counters_.energy_delivered_kwh += wh / 1000.0;
  }
  last_ = now;
  if (active_ && now >= active_->session.departure) {
    // (a 1.6 start that was never answered has no id to stop: the car just leaves)
    if (active_->id_known) out.push_back({stop_transaction(version_, active_->tx, register_wh_, now), counted});
    out.push_back({status_notification(version_, 1, false, now), counted});
    counters_.sessions_ended++;
    active_.reset();
  }
  while (!active_ && next_ < sessions_.size() && sessions_[next_].arrival <= now) {
    const PlannedSession& s = sessions_[next_++];
    if (s.departure <= now) {  // this station was late (the replay started after the car left)
      counters_.sessions_skipped++;
      continue;
    }
    active_.emplace();
    active_->session = s;
    active_->tx.id_tag = s.id_tag;
    active_->tx.evse_id = 1;
    active_->last_meter = now;
    counters_.sessions_started++;
    counters_.energy_requested_kwh += s.energy_kwh;
    out.push_back({status_notification(version_, 1, true, now), counted});
    out.push_back({authorize(version_, s.id_tag), counted});
    if (version_ != ProtocolVersion::ocpp16) {
      active_->tx.transaction_id = fmt_transaction_id(next_);
      active_->id_known = true;
    }
    std::size_t session_index = next_;
    out.push_back({start_transaction(version_, active_->tx, register_wh_, now),
                   [this, session_index](const ocpp::rpc::CallOutcome& o) {
                     count_result(o);
                     if (!o.ok || !active_ || next_ != session_index) return;
                     if (auto id = assigned_transaction_id(version_, o.payload)) {
                       active_->tx.transaction_id = *id;
                       active_->id_known = true;
                     }
                   }});
    std::optional<V2xWindow> v2x;
    if (s.v2x_offer_kwh > 0) v2x = V2xWindow{s.floor_wh(), s.ceiling_wh()};
    if (auto needs = charging_needs(version_, active_->tx, s.announced_departure, s.energy_kwh * 1000.0,
                                    std::min(max_power_kw_, s.ev_max_kw) * 1000.0, v2x))
      out.push_back({*needs, counted});
  }
  if (active_ && active_->id_known && now - active_->last_meter >= meter_interval_) {
    active_->last_meter = now;
    counters_.meter_values_sent++;
    out.push_back({meter_values(version_, active_->tx, register_wh_, export_register_wh_, power_w(now), now), counted});
  }
}

std::string SimulatedStation::fmt_transaction_id(std::size_t session_number) const {
  return id_ + "-" + std::to_string(session_number);
}

ocpp::rpc::Reply SimulatedStation::handle(std::string_view action, const json& payload, UtcTime now) {
  using ocpp::rpc::Reply;
  if (action == "SetChargingProfile") {
    if (auto limit = received_default_limit_w(version_, payload)) {
      default_limit_w_ = *limit;
      return Reply::ok({{"status", "Accepted"}});
    }
    auto profile = received_profile(version_, payload);
    if (!profile || !active_ || !active_->id_known || profile->transaction_id != active_->tx.transaction_id)
      return Reply::ok({{"status", "Rejected"}});
    active_->profile = std::move(profile);
    counters_.profiles_received++;
    return Reply::ok({{"status", "Accepted"}});
  }
  if (action == "GetCompositeSchedule") {
    std::optional<ocpp::PowerSchedule> in_force;
    if (active_ && active_->profile) in_force = active_->profile->schedule;
    return Reply::ok(composite_schedule_response(version_, payload, in_force, now));
  }
  if (action == "ClearChargingProfile") {
    bool had = active_ && active_->profile;
    if (had) active_->profile.reset();
    return Reply::ok({{"status", had ? "Accepted" : "Unknown"}});
  }
  if (action == "RemoteStartTransaction" || action == "RemoteStopTransaction" || action == "RequestStartTransaction" ||
      action == "RequestStopTransaction")
    return Reply::ok({{"status", "Rejected"}});  // the replay follows the recorded sessions
  return Reply::fail(ocpp::rpc::RpcError::not_supported, "the simulated station does not handle " + std::string(action));
}

}  // namespace voltpool::chargers
