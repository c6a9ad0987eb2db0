#include "settle/settlement.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace voltpool::settle {

namespace {

Cents to_cents(double eur) { return static_cast<Cents>(std::llround(eur * 100.0)); }

}  // namespace

Result<std::vector<IntervalEnergy>> meter_intervals(std::span<const RegisterReading> readings, Seconds grid_step) {
  std::vector<IntervalEnergy> out;
  if (readings.size() < 2) return out;
  auto interval_of = [&](UtcTime t) { return UtcTime{grid_step * (t.time_since_epoch() / grid_step)}; };
  for (std::size_t i = 1; i < readings.size(); ++i) {
    const RegisterReading& a = readings[i - 1];
    const RegisterReading& b = readings[i];
    if (b.time < a.time)
      return Error{fmt::format("meter reading {} at {} is earlier than the one before", i, format_utc(b.time))};
    if (b.import_wh < a.import_wh || b.export_wh < a.export_wh)
      return Error{fmt::format("meter reading {} at {}: a register went down", i, format_utc(b.time))};
    double import_kwh = (b.import_wh - a.import_wh) / 1000.0, export_kwh = (b.export_wh - a.export_wh) / 1000.0;
    double span_s = static_cast<double>((b.time - a.time).count());
    if (span_s == 0) {  // two readings at one instant: the energy belongs to that instant's interval
      if (out.empty() || out.back().start != interval_of(a.time)) out.push_back({interval_of(a.time), 0, 0});
      out.back().import_kwh += import_kwh;
      out.back().export_kwh += export_kwh;
      continue;
    }
    // Linear in time between the readings; the last piece takes the remainder so the sum is exact.
    double import_left = import_kwh, export_left = export_kwh;
    for (UtcTime t = a.time; t < b.time;) {
      UtcTime start = interval_of(t);
      UtcTime end = std::min(b.time, start + grid_step);
      double share = static_cast<double>((end - t).count()) / span_s;
      bool last = end == b.time;
      double imp = last ? import_left : import_kwh * share, exp = last ? export_left : export_kwh * share;
      import_left -= imp;
      export_left -= exp;
      if (out.empty() || out.back().start != start) out.push_back({start, 0, 0});
      out.back().import_kwh += imp;
      out.back().export_kwh += exp;
      t = end;
    }
  }
  return out;
}

Result<SessionSettlement> settle_session(const std::string& owner_id, std::span<const RegisterReading> readings,
                                         double max_power_kw, const TimeSeries& prices, const SettlementTerms& terms) {
  auto intervals = meter_intervals(readings, prices.step);
  if (!intervals) return intervals.error();
  SessionSettlement s;
  // Each interval's cents are the rounded running total less what the intervals before took: the intervals add
  // up to the session's rounded total, and many short intervals are not each rounded down to nothing.
  double import_eur = 0, export_eur = 0;
  for (const auto& iv : *intervals) {
    auto price = prices.at(iv.start);
    if (!price || std::isnan(*price))
      return Error{fmt::format("no price for the interval starting {}", format_utc(iv.start))};
    import_eur += iv.import_kwh * *price;
    export_eur += iv.export_kwh * *price;
    SettledInterval settled{iv.start, iv.import_kwh, iv.export_kwh, *price, to_cents(import_eur) - s.import_cost,
                            to_cents(export_eur) - s.export_revenue};
    s.import_kwh += iv.import_kwh;
    s.export_kwh += iv.export_kwh;
    s.import_cost += settled.import_cost;
    s.export_revenue += settled.export_revenue;
    s.intervals.push_back(settled);
  }
  // The counterfactual: the same net energy at full power from the first reading (plug-in), no export.
  double net_kwh = std::max(0.0, s.import_kwh - s.export_kwh), uncontrolled_eur = 0;
  if (!readings.empty() && max_power_kw > 0) {
    double left = net_kwh;
    UtcTime t = readings.front().time;
    while (left > 1e-12) {
      UtcTime start{prices.step * (t.time_since_epoch() / prices.step)};
      double hours = static_cast<double>((start + prices.step - t).count()) / 3600.0;
      double kwh = std::min(left, max_power_kw * hours);
      auto price = prices.at(start);
      if (!price || std::isnan(*price))
        return Error{fmt::format("no price for the uncontrolled counterfactual at {}", format_utc(start))};
      uncontrolled_eur += kwh * *price;
      left -= kwh;
      t = start + prices.step;
    }
  }
  s.uncontrolled_cost = to_cents(uncontrolled_eur);
  s.savings = s.uncontrolled_cost - (s.import_cost - s.export_revenue);
  s.platform_fee = s.savings > 0 ? static_cast<Cents>(std::llround(static_cast<double>(s.savings) * terms.platform_share)) : 0;
  s.owner_earnings = s.savings - s.platform_fee;
  const std::string owner = "owner:" + owner_id;
  auto transfer = [&](const std::string& from, const std::string& to, Cents amount, const std::string& memo) {
    if (amount == 0) return;
    s.entries.push_back({from, -amount, memo});
    s.entries.push_back({to, amount, memo});
  };
  transfer(owner, "market", s.import_cost, "energy imported");
  transfer("market", owner, s.export_revenue, "energy exported (V2X)");
  transfer(owner, "platform", s.platform_fee, "platform share of the savings");
  return s;
}

Cents ledger_sum(std::span<const LedgerEntry> entries) {
  Cents sum = 0;
  for (const auto& e : entries) sum += e.amount;
  return sum;
}

}  // namespace voltpool::settle
