#include "report/wear_section.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "report/svg_chart.hpp"

namespace voltpool {

namespace {

double rounded(double v, int digits) {
  double f = std::pow(10.0, digits);
  return std::round(v * f) / f;
}

template <class T, class F>
double mean_of(const std::vector<T>& xs, F f) {
  double s = 0;
  for (const auto& x : xs) s += f(x);
  return xs.empty() ? 0.0 : s / static_cast<double>(xs.size());
}

template <class T, class F>
double sum_of(const std::vector<T>& xs, F f) {
  double s = 0;
  for (const auto& x : xs) s += f(x);
  return s;
}

double median_net_gain(const std::vector<OwnerOutcome>& owners) {
  std::vector<double> v;
  for (const auto& o : owners) v.push_back(o.net_gain_eur);
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int better_off(const std::vector<OwnerOutcome>& owners) {
  return static_cast<int>(std::count_if(owners.begin(), owners.end(), [](const auto& o) { return o.net_gain_eur > 0; }));
}

}  // namespace

nlohmann::ordered_json wear_json(const WearSection& w) {
  const double value = w.capacity_value_eur_per_kwh;
  nlohmann::ordered_json j;
  j["model"] = w.model;
  j["vehicles"] = w.run.size();
  j["battery_wear_eur"] = rounded(sum_of(w.run, [&](const auto& v) { return wear_eur(v, value); }), 4);
  j["capacity_loss_pct_mean"] = rounded(mean_of(w.run, [](const auto& v) { return v.capacity_loss_pct; }), 6);
  j["years"] = w.years;
  j["capacity_loss_after_years_pct_mean"] =
      rounded(mean_of(w.run, [](const auto& v) { return v.capacity_loss_years_pct; }), 6);
  j["planner_form"] = {{"calendar_eur", rounded(w.form.form_calendar_eur, 4)},
                       {"model_calendar_eur", rounded(w.form.model_calendar_eur, 4)},
                       {"cycling_eur", rounded(w.form.cycling_eur, 4)}};
  if (w.owners.empty()) return j;
  double base_wear = sum_of(w.owners, [&](const auto& o) { return wear_eur(o.baseline, value); });
  double extra_points = sum_of(w.owners, [](const auto& o) { return o.run.capacity_loss_pct - o.baseline.capacity_loss_pct; });
  double extra_wear = sum_of(w.owners, [](const auto& o) { return o.extra_wear_eur; });
  j["baseline_battery_wear_eur"] = rounded(base_wear, 4);
  j["baseline_capacity_loss_pct_mean"] =
      rounded(mean_of(w.owners, [](const auto& o) { return o.baseline.capacity_loss_pct; }), 6);
  j["baseline_capacity_loss_after_years_pct_mean"] =
      rounded(mean_of(w.owners, [](const auto& o) { return o.baseline.capacity_loss_years_pct; }), 6);
  j["extra_wear_pct_points_total"] = rounded(extra_points, 6);
  j["net_saving_after_wear_eur"] = rounded(w.saved_eur - extra_wear, 4);
  if (extra_points > 0) j["eur_saved_per_pct_point_of_extra_wear"] = rounded(w.saved_eur / extra_points, 4);
  j["vehicles_better_off_net_of_wear"] = better_off(w.owners);
  j["net_gain_eur_per_vehicle_mean"] = rounded(mean_of(w.owners, [](const auto& o) { return o.net_gain_eur; }), 4);
  j["net_gain_eur_per_vehicle_median"] = rounded(median_net_gain(w.owners), 4);
  return j;
}

std::string wear_html(const WearSection& w, const std::string& strategy) {
  const bool base = !w.owners.empty();
  const double value = w.capacity_value_eur_per_kwh;
  auto row = [](const std::string& name, const std::string& a, const std::string& b) {
    return fmt::format("<tr><th>{}</th><td>{}</td><td>{}</td></tr>\n", name, a, b);
  };
  std::string html = "<h2>Battery wear (" + html_escape(w.model) +
                     ", each vehicle from a new battery)</h2>\n<table><tr><th></th><th>" + html_escape(strategy) +
                     "</th><th>" + (base ? "uncontrolled" : "") + "</th></tr>\n";
  html += row("wear (EUR of pack capacity lost)",
              fmt::format("{:.2f}", sum_of(w.run, [&](const auto& v) { return wear_eur(v, value); })),
              base ? fmt::format("{:.2f}", sum_of(w.owners, [&](const auto& o) { return wear_eur(o.baseline, value); })) : "");
  html += row("capacity lost per vehicle over the run (%, mean)",
              fmt::format("{:.4f}", mean_of(w.run, [](const auto& v) { return v.capacity_loss_pct; })),
              base ? fmt::format("{:.4f}", mean_of(w.owners, [](const auto& o) { return o.baseline.capacity_loss_pct; })) : "");
  html += row(fmt::format("after {} years of this duty (%, mean)", w.years),
              fmt::format("{:.3f}", mean_of(w.run, [](const auto& v) { return v.capacity_loss_years_pct; })),
              base ? fmt::format("{:.3f}", mean_of(w.owners, [](const auto& o) { return o.baseline.capacity_loss_years_pct; })) : "");
  if (base) {
    html += row("owners better off net of wear", fmt::format("{} of {}", better_off(w.owners), w.owners.size()), "");
    html += row("net gain per vehicle (EUR, mean / median)",
                fmt::format("{:.2f} / {:.2f}", mean_of(w.owners, [](const auto& o) { return o.net_gain_eur; }),
                            median_net_gain(w.owners)),
                "");
  }
  html += "</table>\n";
  html += fmt::format(
      "<p class=\"muted\">The planner's convex form of this wear, on the SoC the cars had while plugged in: calendar "
      "{:.2f} EUR against the model's {:.2f} EUR, cycling {:.2f} EUR in both.</p>\n",
      w.form.form_calendar_eur, w.form.model_calendar_eur, w.form.cycling_eur);
  return html;
}

std::string owners_csv(const WearSection& w) {
  std::string out =
      "vehicle_id,sessions,capacity_kwh,cost_eur,baseline_cost_eur,saved_eur,capacity_loss_pct,"
      "baseline_capacity_loss_pct,extra_wear_eur,net_gain_eur,capacity_loss_after_years_pct,"
      "baseline_capacity_loss_after_years_pct\n";
  for (const OwnerOutcome& o : w.owners) {
    out += fmt::format("{},{},{},{:.4f},{:.4f},{:.4f},{:.6f},{:.6f},{:.4f},{:.4f},{:.4f},{:.4f}\n", csv_quote(o.run.vehicle_id),
                       o.run.sessions, o.run.capacity_kwh, o.run.cost_eur, o.baseline.cost_eur, o.saved_eur,
                       o.run.capacity_loss_pct, o.baseline.capacity_loss_pct, o.extra_wear_eur, o.net_gain_eur,
                       o.run.capacity_loss_years_pct, o.baseline.capacity_loss_years_pct);
  }
  return out;
}

}  // namespace voltpool
