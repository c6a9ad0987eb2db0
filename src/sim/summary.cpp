#include "sim/summary.hpp"

#include <algorithm>
#include <numeric>
#include <unordered_set>

namespace voltpool {

FleetSummary summarize(const SimulationInput& in, const SimulationResult& r, std::string strategy) {
  FleetSummary s;
  s.strategy = std::move(strategy);
  s.sessions = in.sessions.size();
  std::unordered_set<std::string> vehicles;
  double met_of_feasible = 0;
  for (size_t i = 0; i < in.sessions.size(); ++i) {
    const SessionOutcome& o = r.sessions[i];
    vehicles.insert(in.sessions[i].vehicle_id);
    s.energy_requested_kwh += o.need_kwh;
    s.energy_feasible_kwh += o.feasible_kwh;
    s.energy_delivered_kwh += o.delivered_kwh;
    met_of_feasible += std::clamp(o.delivered_kwh, 0.0, o.feasible_kwh);
    s.vehicles_fully_served += o.delivered_kwh >= o.need_kwh - 0.1;
    if (o.left_before_estimate) {
      ++s.sessions_left_before_estimate;
      s.energy_missed_early_departure_kwh += std::max(0.0, o.feasible_kwh - o.delivered_kwh);
    }
    s.grid_import_kwh += o.import_kwh;
    s.grid_export_kwh += o.export_kwh;
    s.cost_eur += o.cost_eur;
    s.co2_kg += o.co2_kg;
  }
  s.vehicles = vehicles.size();
  s.losses_kwh = s.grid_import_kwh - s.grid_export_kwh - s.energy_delivered_kwh;
  s.pct_demand_met = s.energy_requested_kwh > 0 ? 100 * s.energy_delivered_kwh / s.energy_requested_kwh : 100;
  s.pct_of_feasible = s.energy_feasible_kwh > 0 ? 100 * met_of_feasible / s.energy_feasible_kwh : 100;
  s.avg_price_paid_eur_per_kwh = s.grid_import_kwh > 0 ? s.cost_eur / s.grid_import_kwh : 0;
  s.peak_kw = r.fleet_kw.empty() ? 0 : *std::max_element(r.fleet_kw.begin(), r.fleet_kw.end());
  s.has_carbon = !in.carbon_kg_per_kwh.empty();
  s.steps_site_limited = r.steps_site_limited;
  return s;
}

}  // namespace voltpool
