// What the CSMS side of OCPP needs from the rest of voltpool, in protocol-neutral terms: the functional blocks
// (v16/, v2/) translate messages into these calls and back. The server implements it over fleet state and
// storage; tests use a fake. Implementations must be safe to call from several connections' threads.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/time.hpp"

namespace voltpool::ocpp {

struct BootInfo {
  std::string vendor, model, serial_number, firmware_version;
};

// One sampled value set of a meter (OCPP MeterValue): the register readings and instantaneous values voltpool uses.
struct MeterSample {
  UtcTime time{};
  std::optional<double> energy_import_wh;  // Energy.Active.Import.Register
  std::optional<double> energy_export_wh;  // Energy.Active.Export.Register
  std::optional<double> power_w;           // Power.Active.Import minus Power.Active.Export
  std::optional<double> soc_pct;           // SoC
};

enum class TokenStatus { accepted, blocked, invalid, unknown };

struct TransactionStart {
  std::string station_id;
  std::string transaction_id;  // 2.x: the station's; 1.6: empty, the backend assigns one
  int evse_id = 1;             // 1.6: the connector id
  int connector_id = 1;
  std::string id_token;        // may be empty (2.x transactions can start before authorization)
  UtcTime time{};
  std::optional<double> meter_start_wh;
};

struct TransactionStop {
  std::string station_id;
  std::string transaction_id;
  UtcTime time{};
  std::optional<double> meter_stop_wh;
  std::string reason;
};

// What the EV (ISO 15118, via NotifyEVChargingNeeds) or the owner says it needs.
struct ChargingNeeds {
  std::optional<UtcTime> departure;
  std::optional<double> energy_kwh;        // still to be charged
  std::optional<double> max_charge_w;
  std::optional<double> max_discharge_w;   // V2X (2.1): > 0 when the EV offers discharge
  std::optional<double> soc_pct;
  // V2X (2.1, ISO 15118-20): energy from now to the lowest and highest state of charge the EV allows for V2X
  // cycling; a negative minimum is what the EV can give before it reaches that floor.
  std::optional<double> min_energy_kwh, max_energy_kwh;
};

class CsmsBackend {
 public:
  virtual ~CsmsBackend() = default;

  // BootNotification (B01): returns the heartbeat interval in seconds to send back with Accepted.
  virtual int boot(const std::string& station_id, const BootInfo& info) = 0;
  // StatusNotification (G01): connector status as the station names it ("Available", "Occupied", "Charging", ...).
  virtual void connector_status(const std::string& station_id, int evse_id, int connector_id,
                                const std::string& status, UtcTime time) = 0;
  // Authorize (C01) and the id token inside a transaction start.
  virtual TokenStatus authorize(const std::string& station_id, const std::string& id_token) = 0;
  // Records a started transaction; returns its id (assigned here for 1.6, where it must be a decimal integer).
  virtual std::string start_transaction(const TransactionStart& start) = 0;
  // Meter values of a transaction (empty id: outside any transaction). The transaction must belong to the station;
  // returns false when it does not (the block then refuses the message).
  virtual bool meter_values(const std::string& station_id, const std::string& transaction_id, int evse_id,
                            std::span<const MeterSample> samples) = 0;
  // Returns false when the transaction is unknown for this station.
  virtual bool stop_transaction(const TransactionStop& stop) = 0;
  // NotifyEVChargingNeeds (K15) or an owner's preference update for the car at this EVSE.
  virtual void charging_needs(const std::string& station_id, int evse_id, const ChargingNeeds& needs) = 0;
};

// A power limit schedule for one transaction, protocol-neutral: from `start`, each period's limit holds until the
// next period starts; positive charges, negative discharges (V2X).
struct PowerSchedule {
  UtcTime start{};
  struct Period {
    int start_offset_s = 0;
    double limit_w = 0;
    bool operator==(const Period&) const = default;
  };
  std::vector<Period> periods;
  int duration_s = 0;

  bool operator==(const PowerSchedule&) const = default;
};

}  // namespace voltpool::ocpp
