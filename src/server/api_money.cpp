// The REST API's money: an owner's earnings from the stored settlements (per session, per interval, their
// ledger entries) and the operator's whole ledger with its balances.
#include <map>

#include <fmt/format.h>

#include "data/parse.hpp"
#include "ocpp/csms/context.hpp"
#include "server/api_json.hpp"
#include "server/http_api.hpp"

namespace voltpool::server {

using nlohmann::json;

namespace {

json money_totals(const settle::SessionSettlement& s) {
  return {{"import_kwh", s.import_kwh}, {"export_kwh", s.export_kwh}, {"import_cost_cents", s.import_cost},
          {"export_revenue_cents", s.export_revenue}, {"uncontrolled_cost_cents", s.uncontrolled_cost},
          {"savings_cents", s.savings}, {"platform_fee_cents", s.platform_fee},
          {"owner_earnings_cents", s.owner_earnings}};
}

void add_to(settle::SessionSettlement& total, const settle::SessionSettlement& s) {
  total.import_kwh += s.import_kwh;
  total.export_kwh += s.export_kwh;
  total.import_cost += s.import_cost;
  total.export_revenue += s.export_revenue;
  total.uncontrolled_cost += s.uncontrolled_cost;
  total.savings += s.savings;
  total.platform_fee += s.platform_fee;
  total.owner_earnings += s.owner_earnings;
}

Result<std::optional<UtcTime>> time_parameter(std::string_view query, std::string_view key) {
  auto text = query_value(query, key);
  if (!text) return std::optional<UtcTime>{};
  auto t = parse_iso_with_offset(*text);
  if (!t) return Error{fmt::format("'{}' must be a date-time like 2024-06-03T00:00:00Z, got '{}'", key, *text)};
  return std::optional<UtcTime>(*t);
}

}  // namespace

// Settled sessions that overlap [from, to), their energy and money summed per interval of the requested length
// (15m, hour or day, aligned to UTC) within [from, to), the totals and the sessions' ledger entries (which
// balance); sessions that ended but are not settled yet are listed with the reason.
HttpResponse HttpApi::earnings(const std::string& owner_id, std::string_view query) const {
  auto from = time_parameter(query, "from");
  if (!from) return error(400, from.error().message);
  auto to = time_parameter(query, "to");
  if (!to) return error(400, to.error().message);
  std::string interval = query_value(query, "interval").value_or("hour");
  Seconds bucket = interval == "15m" ? Seconds(900) : interval == "hour" ? Seconds(3600) : Seconds(86400);
  if (interval != "15m" && interval != "hour" && interval != "day")
    return error(400, "'interval' must be 15m, hour or day, got '" + interval + "'");

  settle::SessionSettlement total;
  json sessions = json::array(), ledger = json::array();
  settle::Cents ledger_sum = 0;
  struct Bucket {
    double import_kwh = 0, export_kwh = 0;
    settle::Cents import_cost = 0, export_revenue = 0;
  };
  std::map<UtcTime, Bucket> buckets;
  for (const auto& r : store_.settlements(owner_id, *from, *to)) {
    add_to(total, r.settlement);
    json s = money_totals(r.settlement);
    s["id"] = r.session_id;
    s["settled_at"] = format_utc(r.settled_at);
    sessions.push_back(s);
    for (const auto& e : r.settlement.entries) {
      ledger.push_back({{"session_id", r.session_id}, {"account", e.account}, {"amount_cents", e.amount}, {"memo", e.memo}});
      ledger_sum += e.amount;
    }
    for (const auto& iv : r.settlement.intervals) {
      if ((*from && iv.start < **from) || (*to && iv.start >= **to)) continue;
      Bucket& b = buckets[UtcTime{bucket * (iv.start.time_since_epoch() / bucket)}];
      b.import_kwh += iv.import_kwh;
      b.export_kwh += iv.export_kwh;
      b.import_cost += iv.import_cost;
      b.export_revenue += iv.export_revenue;
    }
  }
  json intervals = json::array();
  for (const auto& [start, b] : buckets)
    intervals.push_back({{"start", format_utc(start)}, {"import_kwh", b.import_kwh}, {"export_kwh", b.export_kwh},
                         {"import_cost_cents", b.import_cost}, {"export_revenue_cents", b.export_revenue},
                         {"net_cost_cents", b.import_cost - b.export_revenue}});
  json pending = json::array();
  for (const auto& [id, reason] : settler_.pending()) {
    auto t = store_.session(id);
    if (t && settlement_owner(store_, *t) == owner_id) pending.push_back({{"id", id}, {"reason", reason}});
  }
  // The owner's guardrails and what their car's V2G has spent of them (settled sessions).
  auto prefs = store_.preferences(owner_id);
  auto exported = bridge_.owner_exports(owner_id, ocpp::utc_now());
  json guardrails = {{"wear_budget_eur_per_year", prefs ? optional_number(prefs->wear_budget_eur) : json(nullptr)},
                     {"weekly_discharge_cap_kwh", prefs ? optional_number(prefs->weekly_discharge_cap_kwh) : json(nullptr)},
                     {"discharged_this_year_kwh", exported.this_year_kwh},
                     {"wear_this_year_eur", exported.this_year_kwh * bridge_.wear_eur_per_kwh()},
                     {"discharged_this_week_kwh", exported.this_week_kwh}};
  return json_response(200, {{"owner_id", owner_id}, {"currency", "EUR"}, {"guardrails", guardrails},
                             {"platform_share", settler_.terms().platform_share}, {"interval", interval},
                             {"totals", money_totals(total)}, {"intervals", intervals}, {"sessions", sessions},
                             {"ledger", ledger}, {"ledger_sum_cents", ledger_sum}, {"unsettled", pending}});
}

// Every account's balance and the ledger's sum (zero: it balances); with ?entries=true also every entry in the
// order written (an audit).
HttpResponse HttpApi::ledger(std::string_view query) const {
  std::string list = query_value(query, "entries").value_or("false");
  if (list != "true" && list != "false") return error(400, "'entries' must be true or false, got '" + list + "'");
  std::map<std::string, settle::Cents> balances;
  settle::Cents sum = 0;
  std::size_t entries = 0;
  json all = json::array();
  for (const auto& r : store_.ledger()) {
    balances[r.entry.account] += r.entry.amount;
    sum += r.entry.amount;
    ++entries;
    if (list == "true")
      all.push_back({{"session_id", r.session_id}, {"time", format_utc(r.time)}, {"account", r.entry.account},
                     {"amount_cents", r.entry.amount}, {"memo", r.entry.memo}});
  }
  json accounts = json::array();
  for (const auto& [account, cents] : balances) accounts.push_back({{"account", account}, {"balance_cents", cents}});
  return json_response(200, {{"currency", "EUR"}, {"entries", entries}, {"sum_cents", sum}, {"accounts", accounts},
                             {"sessions_unsettled", store_.unsettled_sessions(1'000'000).size()},
                             {"ledger", list == "true" ? all : json(nullptr)}});
}

}  // namespace voltpool::server
