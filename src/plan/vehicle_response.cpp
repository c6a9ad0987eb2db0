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

namespace {

// Forward reachable prefix energies F_k and backward completable ones G_k for steps with the given element
// ranges; the feasible range of step t's net energy is [G_t.lo - F_{t-1}.hi, G_t.hi - F_{t-1}.lo]. The target
// binds the last prefix through a shortfall slack z (its own element, at the penalty's cost): S_last + z >= need.
struct Window {
  int w;
  double lo_bound, hi_bound, need;
  V2gScratch& s;

  double step_lo(int k) const { return s.lo[2 * k] + s.lo[2 * k + 1]; }
  double step_hi(int k) const { return s.hi[2 * k] + s.hi[2 * k + 1]; }
  double slack_hi() const { return s.hi[2 * static_cast<size_t>(w)]; }
  double bound_lo(int k) const { return k == w - 1 ? std::max(lo_bound, need - slack_hi()) : lo_bound; }

  std::pair<double, double> step_range(int t) const {
    double flo = 0, fhi = 0;
    for (int k = 0; k < t; ++k) {
      flo = std::max(flo + step_lo(k), bound_lo(k));
      fhi = std::min(fhi + step_hi(k), hi_bound);
    }
    double glo = bound_lo(w - 1), ghi = hi_bound;
    for (int k = w - 1; k > t; --k) {
      glo = std::max(glo - step_hi(k), bound_lo(k - 1));
      ghi = std::min(ghi - step_lo(k), hi_bound);
    }
    return {glo - fhi, ghi - flo};
  }

  // The largest last-prefix energy the steps can still reach.
  double reach() const {
    double fhi = 0;
    for (int k = 0; k < w; ++k) fhi = std::min(fhi + step_hi(k), hi_bound);
    return fhi;
  }
};

}  // namespace

ResponseCost bidirectional_response(const PlanningProblem& p, size_t i, std::span<const double> charge_price,
                                    std::span<const double> discharge_revenue, double penalty, std::span<double> kw,
                                    V2gScratch& s) {
  const PlanVehicles& v = p.vehicles;
  const int w = v.window(i), first = v.first_step[i];
  const double dt = p.dt_h;
  const size_t slack = 2 * static_cast<size_t>(w), n = slack + 1;
  s.lo.resize(n);
  s.hi.resize(n);
  s.cost.resize(n);
  s.order.resize(n);
  // Elements 2k (charge) and 2k+1 (discharge), in kWh over the step; the last one the shortfall slack.
  for (int k = 0; k < w; ++k) {
    double f = v.fraction(i, k);
    s.lo[2 * k] = 0;
    s.hi[2 * k] = v.charge_max_kw[i] * f * dt;
    s.lo[2 * k + 1] = -v.discharge_max_kw[i] * f * dt;
    s.hi[2 * k + 1] = 0;
    s.cost[2 * k] = charge_price[first + k];
    s.cost[2 * k + 1] = discharge_revenue[first + k];
  }
  const double lo_bound = v.e_min_kwh[i] - v.e0_kwh[i], hi_bound = v.e_max_kwh[i] - v.e0_kwh[i];
  const double need = v.target_kwh[i] - v.e0_kwh[i];
  s.lo[slack] = 0;
  s.hi[slack] = std::max(0.0, need - lo_bound);
  s.cost[slack] = penalty;
  Window win{w, lo_bound, hi_bound, need, s};

  for (size_t e = 0; e < n; ++e) s.order[e] = static_cast<int>(e);
  std::sort(s.order.begin(), s.order.end(),
            [&](int a, int b) { return s.cost[a] < s.cost[b] || (s.cost[a] == s.cost[b] && a < b); });
  auto fix = [&](int e, bool raise) {
    if (static_cast<size_t>(e) == slack) {  // always lowered: the least shortfall the steps allow now
      s.lo[e] = s.hi[e] = std::clamp(need - win.reach(), s.lo[e], s.hi[e]);
      return;
    }
    int k = e / 2, other = e ^ 1;
    auto [plo, phi] = win.step_range(k);
    if (raise) {
      double top = std::min(s.hi[e], phi - s.lo[other]);
      s.lo[e] = s.hi[e] = std::max(s.lo[e], top);
    } else {
      double bottom = std::max(s.lo[e], plo - s.hi[other]);
      s.lo[e] = s.hi[e] = std::min(s.hi[e], bottom);
    }
  };
  size_t split = 0;
  while (split < n && s.cost[s.order[split]] < 0) ++split;
  for (size_t r = 0; r < split; ++r) fix(s.order[r], true);
  for (size_t r = n; r > split; --r) fix(s.order[r - 1], false);

  ResponseCost cost;
  double stored = 0;
  for (int k = 0; k < w; ++k) {
    double charge = s.lo[2 * k], discharge = s.lo[2 * k + 1];
    stored += charge + discharge;
    kw[static_cast<size_t>(k)] = (charge + discharge) / dt;
    int t = first + k;
    cost.energy_eur += p.import_price_eur_per_kwh[t] * charge + p.export_price_eur_per_kwh[t] * discharge -
                       p.wear_eur_per_kwh * discharge;
    cost.priced_eur += charge_price[t] * charge + discharge_revenue[t] * discharge;
  }
  cost.shortfall_kwh = std::max(0.0, need - stored);
  cost.priced_eur += penalty * cost.shortfall_kwh;
  return cost;
}

}  // namespace voltpool
