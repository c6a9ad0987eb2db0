#include "report/simulation_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "report/svg_chart.hpp"
#include "report/wear_section.hpp"

namespace voltpool {

namespace {

double round_to(double v, int digits) {
  double f = std::pow(10.0, digits);
  return std::round(v * f) / f;
}

nlohmann::ordered_json summary_fields(const FleetSummary& s, double wall_s) {
  nlohmann::ordered_json j;
  j["strategy"] = s.strategy;
  j["vehicles"] = s.vehicles;
  j["sessions"] = s.sessions;
  j["energy_requested_kwh"] = round_to(s.energy_requested_kwh, 6);
  j["energy_feasible_kwh"] = round_to(s.energy_feasible_kwh, 6);
  j["energy_delivered_kwh"] = round_to(s.energy_delivered_kwh, 6);
  j["pct_demand_met"] = round_to(s.pct_demand_met, 4);
  j["pct_of_feasible"] = round_to(s.pct_of_feasible, 4);
  j["vehicles_fully_served"] = s.vehicles_fully_served;
  j["sessions_left_before_estimate"] = s.sessions_left_before_estimate;
  j["energy_missed_early_departure_kwh"] = round_to(s.energy_missed_early_departure_kwh, 6);
  j["grid_import_kwh"] = round_to(s.grid_import_kwh, 6);
  j["grid_export_kwh"] = round_to(s.grid_export_kwh, 6);
  j["losses_kwh"] = round_to(s.losses_kwh, 6);
  j["cost_eur"] = round_to(s.cost_eur, 4);
  j["avg_price_paid_eur_per_kwh"] = round_to(s.avg_price_paid_eur_per_kwh, 6);
  j["peak_kw"] = round_to(s.peak_kw, 4);
  if (s.has_carbon) j["co2_kg"] = round_to(s.co2_kg, 4);
  j["steps_site_limited"] = s.steps_site_limited;
  if (wall_s >= 0) j["wall_s"] = round_to(wall_s, 4);
  return j;
}

std::string local_label(const TimeZone& tz, UtcTime t) {
  auto l = to_local(tz, t);
  auto day = std::chrono::floor<std::chrono::days>(l);
  std::chrono::year_month_day ymd{day};
  std::chrono::hh_mm_ss hms{l - day};
  static const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  return fmt::format("{} {:02}/{:02} {:02}:{:02}", kDays[std::chrono::weekday{day}.c_encoding()],
                     unsigned(ymd.day()), unsigned(ymd.month()), hms.hours().count(), hms.minutes().count());
}

std::string summary_row(const char* name, const std::string& a, const std::string& b) {
  return fmt::format("<tr><th>{}</th><td>{}</td><td>{}</td></tr>\n", name, a, b);
}

}  // namespace

std::string summary_json(const SimulationReport& r) {
  nlohmann::ordered_json j = summary_fields(r.run.summary, r.description.wall_s);
  nlohmann::ordered_json inputs;
  for (const auto& [k, v] : r.description.inputs) inputs[k] = v;
  j["inputs"] = inputs;
  if (r.baseline) {
    j["baseline"] = summary_fields(r.baseline->summary, -1);
    j["savings_eur"] = round_to(r.baseline->summary.cost_eur - r.run.summary.cost_eur, 4);
  }
  if (r.wear) j["wear"] = wear_json(*r.wear);
  if (r.perfect_foresight) {
    j["perfect_foresight"] = {{"cost_eur", round_to(r.perfect_foresight->energy_cost_eur, 4)},
                              {"wear_eur", round_to(r.perfect_foresight->wear_cost_eur, 4)},
                              {"battery_wear_eur", round_to(r.perfect_foresight->battery_wear_eur, 4)},
                              {"shortfall_kwh", round_to(r.perfect_foresight->shortfall_kwh, 6)}};
  }
  return j.dump(2) + "\n";
}

std::string vehicles_csv(const SimulationInput& in, const SimulationResult& r) {
  std::string out =
      "session_id,vehicle_id,station_id,arrival_utc,departure_utc,est_departure_utc,capacity_kwh,arrival_soc_pct,"
      "target_soc_pct,departure_soc_pct,need_kwh,feasible_kwh,delivered_kwh,import_kwh,export_kwh,cost_eur,co2_kg,"
      "left_before_estimate\n";
  for (size_t i = 0; i < in.sessions.size(); ++i) {
    const PlugSession& s = in.sessions[i];
    const SessionOutcome& o = r.sessions[i];
    out += fmt::format("{},{},{},{},{},{},{:.3f},{:.2f},{:.2f},{:.2f},{:.4f},{:.4f},{:.4f},{:.4f},{:.4f},{:.4f},{:.4f},{}\n",
                       csv_quote(s.id), csv_quote(s.vehicle_id), csv_quote(s.station_id), format_utc(s.arrival),
                       format_utc(s.departure), format_utc(s.needs.est_departure), s.capacity_kwh,
                       100 * s.arrival_energy_kwh / s.capacity_kwh, 100 * s.needs.target_energy_kwh / s.capacity_kwh,
                       100 * o.final_energy_kwh / s.capacity_kwh, o.need_kwh, o.feasible_kwh, o.delivered_kwh,
                       o.import_kwh, o.export_kwh, o.cost_eur, o.co2_kg, o.left_before_estimate ? 1 : 0);
  }
  return out;
}

std::string report_html(const SimulationReport& r) {
  const SimulationInput& in = *r.input;
  const FleetSummary& s = r.run.summary;
  const TimeZone& tz = r.description.display_tz;
  std::vector<std::string> labels;
  for (int t = 0; t < in.grid.steps; ++t) labels.push_back(local_label(tz, in.grid.time_of(t)));

  LineChart power{"Fleet power and day-ahead price", "kW", "EUR/MWh", labels, {}, 960, 320};
  std::vector<double> price_mwh;
  for (double p : in.price_eur_per_kwh) price_mwh.push_back(p * 1000);
  power.series.push_back({"price (EUR/MWh)", price_mwh, "#999999", true, false});
  if (r.baseline) power.series.push_back({"uncontrolled (kW)", r.baseline->result->fleet_kw, "#e07b39", false, true});
  power.series.push_back({s.strategy + " (kW)", r.run.result->fleet_kw, "#1f5fbf", false, false});

  auto cumulative = [](const std::vector<double>& v) {
    std::vector<double> c(v.size());
    double acc = 0;
    for (size_t i = 0; i < v.size(); ++i) c[i] = acc += v[i];
    return c;
  };
  LineChart cost{"Cumulative cost", "EUR", "", labels, {}, 960, 260};
  if (r.baseline) cost.series.push_back({"uncontrolled", cumulative(r.baseline->result->cost_eur), "#e07b39", false, true});
  cost.series.push_back({s.strategy, cumulative(r.run.result->cost_eur), "#1f5fbf", false, false});

  BarChart soc{"State of charge at departure", "SoC %", "sessions", {}, std::vector<double>(10, 0)};
  for (int b = 0; b < 10; ++b) soc.bar_labels.push_back(fmt::format("{}-{}", b * 10, b * 10 + 10));
  for (size_t i = 0; i < in.sessions.size(); ++i) {
    double pct = 100 * r.run.result->sessions[i].final_energy_kwh / in.sessions[i].capacity_kwh;
    soc.values[static_cast<size_t>(std::clamp(static_cast<int>(pct / 10), 0, 9))] += 1;
  }

  std::string html = R"(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>voltpool simulation report</title>
<style>
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;max-width:1000px;color:#222}
h1{font-size:1.5em;margin-bottom:4px} h2{font-size:1.15em;margin-top:28px}
table{border-collapse:collapse;margin:8px 0} th,td{padding:4px 10px;border-bottom:1px solid #ddd;text-align:right}
th{text-align:left;font-weight:600} .muted{color:#666;font-size:.9em}
.chart{width:100%;height:auto;background:#fafafa;border:1px solid #eee;margin:6px 0} .chart.small{max-width:520px}
.chart .title{font-weight:600;font-size:14px} .chart .tick{font-size:11px;fill:#555} .chart .unit{font-size:11px;fill:#333}
.chart .legend{font-size:12px} .chart .grid{stroke:#e4e4e4} .chart .zero{stroke:#888}
.kpi{display:inline-block;margin:6px 18px 6px 0} .kpi b{font-size:1.4em;display:block}
</style></head><body>
)";
  html += "<h1>voltpool simulation report</h1>\n<p class=\"muted\">";
  for (const auto& [k, v] : r.description.inputs) html += html_escape(k) + ": " + html_escape(v) + " &middot; ";
  html += fmt::format("wall time {:.2f} s</p>\n", r.description.wall_s);
  html += "<div>";
  html += fmt::format("<span class=\"kpi\"><b>{:.2f} EUR</b>cost ({})</span>", s.cost_eur, html_escape(s.strategy));
  if (r.baseline) {
    double saved = r.baseline->summary.cost_eur - s.cost_eur;
    html += fmt::format("<span class=\"kpi\"><b>{:.2f} EUR</b>saved against uncontrolled ({:.1f} %)</span>", saved,
                        r.baseline->summary.cost_eur != 0 ? 100 * saved / std::abs(r.baseline->summary.cost_eur) : 0.0);
  }
  if (r.perfect_foresight) {
    html += fmt::format("<span class=\"kpi\"><b>{:.2f} EUR</b>hindsight optimum (all departures and prices known)</span>",
                        r.perfect_foresight->energy_cost_eur);
  }
  html += fmt::format("<span class=\"kpi\"><b>{:.1f} %</b>of feasible energy delivered</span>", s.pct_of_feasible);
  html += fmt::format("<span class=\"kpi\"><b>{:.0f} kW</b>peak</span></div>\n", s.peak_kw);

  html += "<h2>Summary</h2>\n<table><tr><th></th><th>" + html_escape(s.strategy) + "</th><th>" +
          (r.baseline ? "uncontrolled" : "") + "</th></tr>\n";
  auto both = [&](const char* name, auto field, const char* format) {
    std::string a = fmt::format(fmt::runtime(format), field(s));
    std::string b = r.baseline ? fmt::format(fmt::runtime(format), field(r.baseline->summary)) : "";
    html += summary_row(name, a, b);
  };
  both("vehicles", [](const FleetSummary& x) { return x.vehicles; }, "{}");
  both("plug-in sessions", [](const FleetSummary& x) { return x.sessions; }, "{}");
  both("energy requested (kWh)", [](const FleetSummary& x) { return x.energy_requested_kwh; }, "{:.1f}");
  both("energy physically possible (kWh)", [](const FleetSummary& x) { return x.energy_feasible_kwh; }, "{:.1f}");
  both("energy delivered (kWh)", [](const FleetSummary& x) { return x.energy_delivered_kwh; }, "{:.1f}");
  both("demand met (%)", [](const FleetSummary& x) { return x.pct_demand_met; }, "{:.2f}");
  both("of feasible (%)", [](const FleetSummary& x) { return x.pct_of_feasible; }, "{:.2f}");
  both("sessions fully served", [](const FleetSummary& x) { return x.vehicles_fully_served; }, "{}");
  both("owners who left before their estimate", [](const FleetSummary& x) { return x.sessions_left_before_estimate; }, "{}");
  both("energy missed: owner left early (kWh)", [](const FleetSummary& x) { return x.energy_missed_early_departure_kwh; }, "{:.1f}");
  both("grid import (kWh)", [](const FleetSummary& x) { return x.grid_import_kwh; }, "{:.1f}");
  both("charging losses (kWh)", [](const FleetSummary& x) { return x.losses_kwh; }, "{:.1f}");
  both("cost (EUR)", [](const FleetSummary& x) { return x.cost_eur; }, "{:.2f}");
  both("average price paid (EUR/kWh)", [](const FleetSummary& x) { return x.avg_price_paid_eur_per_kwh; }, "{:.4f}");
  both("peak (kW)", [](const FleetSummary& x) { return x.peak_kw; }, "{:.1f}");
  if (s.has_carbon) both("CO2 (kg)", [](const FleetSummary& x) { return x.co2_kg; }, "{:.1f}");
  html += "</table>\n";

  if (r.wear) html += wear_html(*r.wear, s.strategy);
  html += "<h2>Fleet power against price</h2>\n" + render_svg(power);
  html += "<h2>Cost over time</h2>\n" + render_svg(cost);
  html += "<h2>State of charge at departure</h2>\n" + render_svg(soc);
  html += "<p class=\"muted\">Times on the axes are local (" + html_escape(tz.name) +
          "). Energy is battery-side unless it says grid. The per-session detail is in vehicles.csv beside this "
          "page; the numbers in summary.json.</p>\n";
  if (!r.description.attributions.empty()) {
    html += "<h2>Data sources</h2>\n<ul class=\"muted\">";
    for (const auto& a : r.description.attributions) html += "<li>" + html_escape(a) + "</li>";
    html += "</ul>\n";
  }
  html += "</body></html>\n";
  return html;
}

Result<std::string> write_simulation_report(const std::string& dir, const SimulationReport& report) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Error{dir + ": cannot create folder: " + ec.message()};
  auto write = [&](const std::string& name, const std::string& content) -> std::optional<Error> {
    std::string path = dir + "/" + name;
    std::ofstream out(path, std::ios::binary);
    out << content;
    out.close();
    if (!out) return Error{path + ": cannot write file"};
    return std::nullopt;
  };
  if (auto e = write("summary.json", summary_json(report))) return *e;
  if (auto e = write("vehicles.csv", vehicles_csv(*report.input, *report.run.result))) return *e;
  if (auto e = write("report.html", report_html(report))) return *e;
  if (report.wear && !report.wear->owners.empty()) {
    if (auto e = write("owners.csv", owners_csv(*report.wear))) return *e;
  } else {
    std::filesystem::remove(dir + "/owners.csv", ec);  // not left over from an earlier run into the same folder
  }
  return dir + "/report.html";
}

}  // namespace voltpool
