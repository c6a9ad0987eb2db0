// Metering and settlement, without I/O: a session's meter register readings become energy per price interval
// (import and export apart, split linearly in time between readings, conserved exactly), priced at each
// interval's price; the owner's gain is measured against their own uncontrolled charging (the same net energy
// at full power from plug-in) and a platform share of that gain is taken. Money is in integer cents, and the
// ledger is double-entry: every transfer is a pair of entries that sum to zero.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "core/series.hpp"
#include "core/time.hpp"

namespace voltpool::settle {

using Cents = std::int64_t;

struct RegisterReading {
  UtcTime time{};
  double import_wh = 0;  // Energy.Active.Import.Register
  double export_wh = 0;  // Energy.Active.Export.Register (V2X)
};

struct IntervalEnergy {
  UtcTime start{};
  double import_kwh = 0, export_kwh = 0;
};

// Energy per interval of `grid_step` (aligned to the epoch) between the first and last reading. Readings must be
// in time order with registers that never decrease; the error names the first that is not.
Result<std::vector<IntervalEnergy>> meter_intervals(std::span<const RegisterReading> readings, Seconds grid_step);

struct LedgerEntry {
  std::string account;  // "owner:ID", "market", "platform"
  Cents amount = 0;     // + credit, - debit
  std::string memo;
};

// One price interval of a settled session: its energy, the price it was settled at and what it cost and earned.
// A session's totals are the sums of its intervals' cents (the running total rounded), so per-interval reports
// add up and no rounding bias builds up over many short intervals.
struct SettledInterval {
  UtcTime start{};
  double import_kwh = 0, export_kwh = 0;
  double price_eur_per_kwh = 0;
  Cents import_cost = 0, export_revenue = 0;
};

struct SessionSettlement {
  std::vector<SettledInterval> intervals;
  double import_kwh = 0, export_kwh = 0;
  Cents import_cost = 0;        // what the imported energy cost at the day-ahead prices
  Cents export_revenue = 0;     // what the exported energy earned
  Cents uncontrolled_cost = 0;  // the same net energy charged at full power from plug-in
  Cents savings = 0;            // uncontrolled_cost - (import_cost - export_revenue)
  Cents platform_fee = 0;       // platform_share of positive savings
  Cents owner_earnings = 0;     // savings - platform_fee
  std::vector<LedgerEntry> entries;
};

struct SettlementTerms {
  double platform_share = 0.2;  // of the owner's savings, when positive
};

// Settles one session of `owner_id`. `max_power_kw` is the charging power of the uncontrolled counterfactual.
// Errors name an interval the prices do not cover, or bad readings.
Result<SessionSettlement> settle_session(const std::string& owner_id, std::span<const RegisterReading> readings,
                                         double max_power_kw, const TimeSeries& prices_eur_per_kwh,
                                         const SettlementTerms& terms);

// The sum of a ledger's entries (zero when it balances).
Cents ledger_sum(std::span<const LedgerEntry> entries);

}  // namespace voltpool::settle
