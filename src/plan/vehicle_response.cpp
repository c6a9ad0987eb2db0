#include "plan/vehicle_response.hpp"

#include <algorithm>
#include <numeric>

namespace voltpool {

std::vector<int> rank_steps(std::span<const double> price) {
  std::vector<int> order(price.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return price[a] < price[b]; });
  return order;
}

ResponseCost charge_only_response(const PlanningProblem& p, size_t i, std::span<const double> price,
                                  std::span<const int> ranking, double penalty, std::span<double> kw) {
  const PlanVehicles& v = p.vehicles;
  const int first = v.first_step[i], end = v.end_step[i];
  const double eta = v.eta_charge[i], dt = p.dt_h, cmax = v.charge_max_kw[i];
  std::fill(kw.begin(), kw.end(), 0.0);
  double need = std::max(0.0, v.target_kwh[i] - v.e0_kwh[i]);  // stored kWh
  double room = std::max(0.0, v.e_max_kwh[i] - v.e0_kwh[i]);
  ResponseCost cost;
  double stored = 0;
  for (int t : ranking) {
    if (t < first || t >= end) continue;
    double a = price[t];
    bool fills_need = stored < need && a < penalty * eta;
    bool pays = a < 0 && stored < room;
    if (!fills_need && !pays) {
      if (a >= 0) break;  // the ranking only gets dearer
      continue;
    }
    int k = t - first;
    double cap = cmax * v.fraction(i, k) * eta * dt;  // stored kWh this step can take
    double limit = (fills_need ? need : room) - stored;
    if (a < 0) limit = room - stored;
    double take = std::min(cap, limit);
    if (take <= 0) continue;
    stored += take;
    double pkw = take / (eta * dt);
    kw[static_cast<size_t>(k)] = pkw;
    cost.energy_eur += p.import_price_eur_per_kwh[t] * pkw * dt;
    cost.priced_eur += a * pkw * dt;
  }
  cost.shortfall_kwh = std::max(0.0, need - stored);
  cost.priced_eur += penalty * cost.shortfall_kwh;
  return cost;
}

}  // namespace voltpool
