#include "sim/optimal_strategy.hpp"

#include <algorithm>

#include "plan/exact_solver.hpp"
#include "plan/fast_solver.hpp"
#include "sim/simulator.hpp"

namespace voltpool {

std::vector<double> forecast_prices(std::span<const double> known, int from, int to, int steps_per_day) {
  std::vector<double> out;
  out.reserve(static_cast<size_t>(std::max(0, to - from)));
  for (int t = from; t < to; ++t) {
    int k = t;
    while (k >= static_cast<int>(known.size()) && k - steps_per_day >= 0) k -= steps_per_day;
    out.push_back(k < static_cast<int>(known.size()) ? known[static_cast<size_t>(k)] : (known.empty() ? 0.0 : known.back()));
  }
  return out;
}

namespace {

// The soft floors of OptimalStrategyOptions::reserve_share for the cars that may discharge (the others keep
// their window's floor, which costs nothing). A floor never asks for more than the car holds now: it keeps V2G
// from discharging into the reserve, it does not make the car charge earlier than prices say.
void add_reserve_floors(PlanningProblem& p, double share) {
  const PlanVehicles& v = p.vehicles;
  for (size_t i = 0; i < v.size(); ++i) {
    const int w = v.window(i);
    const size_t at = p.soft_floor_kwh.size();
    p.soft_floor_kwh.resize(at + static_cast<size_t>(w), v.e_min_kwh[i]);
    if (v.discharge_max_kw[i] <= 0) continue;
    double needed = std::min(v.target_kwh[i], v.e_max_kwh[i]);  // at the end of step k
    for (int k = w - 1; k >= 0; --k) {
      p.soft_floor_kwh[at + static_cast<size_t>(k)] = std::max(v.e_min_kwh[i], std::min(needed, v.e0_kwh[i]));
      needed -= share * v.charge_max_kw[i] * v.fraction(i, k) * v.eta_charge[i] * p.dt_h;
    }
  }
  p.soft_floor_penalty_eur_per_kwh = p.shortfall_penalty_eur_per_kwh() / 10;
}

// Owner guardrails only the exact LP carries; everything else (battery wear models included) the decomposition
// plans at the same optimum (to its 1e-7 gap), much faster for V2G fleets.
Result<Plan> solve(const PlanningProblem& p) { return p.guardrails.empty() ? solve_fast(p) : solve_exact(p); }

}  // namespace

VehicleWear wear_in_energy(const WearRates& rates, double capacity_kwh) {
  VehicleWear w;
  for (auto [slope, intercept] : rates.calendar_lines) w.calendar_lines.emplace_back(slope / capacity_kwh, intercept);
  w.throughput_eur_per_kwh = rates.cycle_eur_per_kwh;
  return w;
}

const VehicleWear& WearCurves::for_capacity(double capacity_kwh) {
  auto it = by_capacity_.find(capacity_kwh);
  if (it == by_capacity_.end()) {
    WearParams params = params_;
    params.capacity_kwh = capacity_kwh;
    it = by_capacity_.emplace(capacity_kwh, wear_in_energy(linearise_wear(params), capacity_kwh)).first;
  }
  return it->second;
}

void OptimalStrategy::replan(const StepView& view) {
  if (view.plugged.empty()) {
    plans_.clear();
    return;
  }
  const int now = view.step;
  int horizon_end = now + 1;
  for (int s : view.plugged) horizon_end = std::max(horizon_end, view.vehicles[s].est_departure_step);
  const int steps_per_day = static_cast<int>(std::chrono::hours{24} / view.grid->step);

  PlanningProblem p;
  p.steps = horizon_end - now;
  p.dt_h = view.grid->dt_h();
  p.import_price_eur_per_kwh = forecast_prices(view.known_price_eur_per_kwh, now, horizon_end, steps_per_day);
  p.export_price_eur_per_kwh = forecast_prices(view.known_export_price_eur_per_kwh, now, horizon_end, steps_per_day);
  p.import_limit_kw.assign(static_cast<size_t>(p.steps), view.site.import_kw < 1e300 ? view.site.import_kw : kNoLimit);
  p.export_limit_kw.assign(static_cast<size_t>(p.steps), view.site.export_kw < 1e300 ? view.site.export_kw : kNoLimit);
  p.wear_eur_per_kwh = options_.wear ? 0.0 : options_.wear_eur_per_kwh;
  p.vehicles.reserve(view.plugged.size());
  for (int s : view.plugged) {
    const PlannerVehicle& v = view.vehicles[s];
    int end = std::max(v.est_departure_step, now + 1);
    double first = v.expected_fraction(now);
    if (first <= 0) first = 1.0;  // still here past the estimate: plan its next step fully
    double last = end - 1 == now ? first : (v.expected_fraction(end - 1) > 0 ? v.expected_fraction(end - 1) : 1.0);
    double discharge = options_.v2g && v.v2g ? v.limits.discharge_max_kw : 0.0;
    p.vehicles.add(0, end - now, first, last, v.limits.charge_max_kw, discharge, view.energy_kwh[s], v.limits.e_min_kwh,
                   v.limits.e_max_kwh, v.limits.e_max_kwh, v.limits.charge_efficiency, v.limits.discharge_efficiency);
    if (wear_curves_) p.vehicle_wear.push_back(wear_curves_->for_capacity(v.capacity_kwh));
  }
  if (options_.v2g && options_.reserve_share > 0) add_reserve_floors(p, options_.reserve_share);
  auto plan = solve(p);
  if (!plan.ok()) return;  // keep the previous plans; cars without one charge as needed (decide())
  plans_.clear();
  for (size_t k = 0; k < view.plugged.size(); ++k) {
    auto row = plan->of(k);
    plans_[view.plugged[k]] = Planned{now, std::vector<double>(row.begin(), row.end())};
  }
}

void OptimalStrategy::decide(const StepView& view, std::span<double> requested_kw) {
  bool published = view.known_price_eur_per_kwh.size() != planned_with_known_;
  planned_with_known_ = view.known_price_eur_per_kwh.size();
  // A car still plugged in after its owner's estimate is re-planned one step at a time, with the others.
  bool overstay = false;
  for (int s : view.plugged) overstay |= view.step >= view.vehicles[s].est_departure_step;
  if (!view.arrived.empty() || published || overstay || view.step == 0) replan(view);
  for (size_t k = 0; k < view.plugged.size(); ++k) {
    int s = view.plugged[k];
    const PlannerVehicle& v = view.vehicles[s];
    auto it = plans_.find(s);
    int offset = it == plans_.end() ? -1 : view.step - it->second.first_step;
    if (it == plans_.end() || offset < 0 || offset >= static_cast<int>(it->second.kw.size())) {
      // Not in a plan (the planner failed for it): charge as needed, as uncontrolled charging would.
      requested_kw[k] = view.energy_kwh[s] < v.limits.e_max_kwh ? v.limits.charge_max_kw : 0.0;
      continue;
    }
    // The plan holds step means; the car draws them over the share of the step it is there.
    double f = v.expected_fraction(view.step);
    requested_kw[k] = it->second.kw[static_cast<size_t>(offset)] / (f > 0 ? f : 1.0);
  }
}

PlanningProblem perfect_foresight_problem(const SimulationInput& in, bool v2g, double wear_eur_per_kwh,
                                          const std::optional<WearParams>& wear) {
  PlanningProblem p;
  p.steps = in.grid.steps;
  p.dt_h = in.grid.dt_h();
  p.import_price_eur_per_kwh = in.price_eur_per_kwh;
  p.export_price_eur_per_kwh = in.export_price_eur_per_kwh.empty() ? in.price_eur_per_kwh : in.export_price_eur_per_kwh;
  p.import_limit_kw.assign(static_cast<size_t>(p.steps), in.site.import_kw < 1e300 ? in.site.import_kw : kNoLimit);
  p.export_limit_kw.assign(static_cast<size_t>(p.steps), in.site.export_kw < 1e300 ? in.site.export_kw : kNoLimit);
  p.wear_eur_per_kwh = wear ? 0.0 : wear_eur_per_kwh;
  p.vehicles.reserve(in.sessions.size());
  std::optional<WearCurves> curves;
  if (wear) curves.emplace(*wear);
  for (const PlugSession& s : in.sessions) {
    int first = static_cast<int>(in.grid.step_containing(s.arrival));
    int end = std::max(first + 1, static_cast<int>(in.grid.first_step_at_or_after(s.departure)));
    double ff = presence_fraction(in.grid, first, s.arrival, s.departure);
    double lf = presence_fraction(in.grid, end - 1, s.arrival, s.departure);
    p.vehicles.add(first, end, ff, lf, s.charge_max_kw, v2g ? s.discharge_max_kw : 0.0, s.arrival_energy_kwh,
                   s.needs.min_energy_kwh, s.needs.target_energy_kwh, s.needs.target_energy_kwh, s.charge_efficiency,
                   s.discharge_efficiency);
    if (curves) p.vehicle_wear.push_back(curves->for_capacity(s.capacity_kwh));
  }
  return p;
}

}  // namespace voltpool
