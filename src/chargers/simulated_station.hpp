// A simulated charging station with one EVSE, without I/O: it replays recorded plug-in sessions (the car arrives,
// authorizes, charges, leaves), meters the energy it delivers and obeys the TxProfile the CSMS sends; while no
// profile is in force it charges at full power, as a station without smart charging does.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "chargers/station_messages.hpp"
#include "ocpp/rpc/endpoint.hpp"

namespace voltpool::chargers {

struct PlannedSession {
  std::string id_tag;
  UtcTime arrival{}, departure{};
  UtcTime announced_departure{};  // what the EV tells the CSMS (2.x NotifyEVChargingNeeds)
  double energy_kwh = 0;          // what the car wants
  double ev_max_kw = 0;
  double v2x_offer_kwh = 0;       // OCPP 2.1: energy the EV offers to give back (0: charge only)

  // The car's energy window relative to its arrival (Wh): a V2X EV may take half again what it needs (to give
  // some back later) and go below its arrival energy by what it offered.
  double floor_wh() const { return -v2x_offer_kwh * 1000.0; }
  double ceiling_wh() const { return energy_kwh * 1000.0 * (v2x_offer_kwh > 0 ? 1.5 : 1.0); }
};

struct StationCounters {
  std::size_t sessions_started = 0, sessions_ended = 0, sessions_skipped = 0;
  double energy_requested_kwh = 0, energy_delivered_kwh = 0;  // delivered: net of what V2X gave back
  double energy_discharged_kwh = 0;
  std::size_t profiles_received = 0, meter_values_sent = 0, calls_failed = 0;
  std::string first_call_error;  // of the first failed call, for the report
};

struct OutgoingCall {
  Command command;
  ocpp::rpc::Endpoint::ResultHandler on_result;
};

class SimulatedStation {
 public:
  SimulatedStation(std::string id, ProtocolVersion version, double max_power_kw, std::vector<PlannedSession> sessions,
                   Seconds meter_interval);

  // Moves the station to `now`; the calls it makes are appended to `out`, in order.
  void advance(UtcTime now, std::vector<OutgoingCall>& out);
  // Answers a call from the CSMS.
  ocpp::rpc::Reply handle(std::string_view action, const nlohmann::json& payload, UtcTime now);

  // The power drawn at `t` (W).
  double power_w(UtcTime t) const;
  bool finished() const { return next_ >= sessions_.size() && !active_; }
  const StationCounters& counters() const { return counters_; }
  const std::string& id() const { return id_; }

 private:
  struct Active {
    PlannedSession session;
    TxInfo tx;
    bool id_known = false;  // 1.6: once StartTransaction is answered
    double delivered_wh = 0;
    UtcTime last_meter{};
    std::optional<ReceivedProfile> profile;
  };
  void count_result(const ocpp::rpc::CallOutcome& outcome);
  std::string fmt_transaction_id(std::size_t session_number) const;

  std::string id_;
  ProtocolVersion version_;
  double max_power_kw_;
  std::vector<PlannedSession> sessions_;
  Seconds meter_interval_;
  std::size_t next_ = 0;
  std::optional<Active> active_;
  bool booted_ = false;
  std::optional<double> default_limit_w_;  // the CSMS's fail-safe TxDefaultProfile
  double register_wh_ = 0;         // Energy.Active.Import.Register
  double export_register_wh_ = 0;  // Energy.Active.Export.Register (V2X)
  UtcTime last_{};
  StationCounters counters_;
};

}  // namespace voltpool::chargers
