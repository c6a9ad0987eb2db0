#include "plan/fleet_day_problem.hpp"

namespace voltpool {

PlanningProblem fleet_day_problem(const std::vector<BenchEv>& evs, const std::vector<double>& prices,
                                  double site_limit_kw, bool v2g, double wear_eur_per_kwh) {
  PlanningProblem p;
  p.steps = static_cast<int>(prices.size());
  p.dt_h = kFleetDayStepHours;
  p.import_price_eur_per_kwh = prices;
  p.export_price_eur_per_kwh = prices;
  p.import_limit_kw.assign(prices.size(), site_limit_kw);
  p.export_limit_kw.assign(prices.size(), v2g ? site_limit_kw : kNoLimit);
  p.wear_eur_per_kwh = v2g ? wear_eur_per_kwh : 0.0;
  p.vehicles.reserve(evs.size());
  for (const BenchEv& ev : evs) {
    p.vehicles.add(ev.arrival_step, ev.departure_step, 1.0, 1.0, ev.p_max_kw, v2g ? ev.p_dis_max_kw : 0.0,
                   ev.e_arrival_kwh, ev.e_min_kwh, ev.e_target_kwh, ev.e_target_kwh, 1.0, 1.0);
  }
  return p;
}

}  // namespace voltpool
