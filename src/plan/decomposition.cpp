#include "plan/decomposition.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <thread>
#include <tuple>

namespace voltpool {

std::vector<LimitRow> master_rows(const PlanningProblem& p) {
  const LimitGroups groups(p);
  const bool discharge = p.any_discharge();
  std::vector<LimitRow> rows;
  for (size_t g = 0; g < groups.size(); ++g) {
    for (int t = 0; t < p.steps; ++t) {
      if (g == 0 && !p.fleet_profile_kw.empty()) {
        rows.push_back(LimitRow{0, t, kNoLimit, kNoLimit, true, p.fleet_profile_kw[t]});
        continue;
      }
      double imp = (*groups.import_kw[g])[t], exp = (*groups.export_kw[g])[t];
      if (!std::isfinite(imp) && !(discharge && std::isfinite(exp))) continue;
      rows.push_back(LimitRow{static_cast<int>(g), t, imp, discharge ? exp : kNoLimit, false, 0});
    }
  }
  return rows;
}

Decomposition::Decomposition(const PlanningProblem& p, int clusters)
    : p_(p),
      groups_(p),
      penalty_(p.shortfall_penalty_eur_per_kwh()),
      workers_(std::max(1u, std::min(4u, std::thread::hardware_concurrency()))),
      rows_(master_rows(p)) {
  const PlanVehicles& v = p.vehicles;
  const size_t n = v.size();
  size_t longest = 0;
  kinks_.reserve(p.vehicle_wear.size());  // each car's calendar kinks, once for every pass
  for (const VehicleWear& w : p.vehicle_wear) kinks_.push_back(calendar_kinks(w));
  floor_offset_.assign(n + 1, 0);
  floored_.assign(n, 0);
  for (size_t i = 0; i < n; ++i) {
    longest = std::max(longest, static_cast<size_t>(v.window(i)));
    floor_offset_[i + 1] = floor_offset_[i] + static_cast<size_t>(v.window(i));
    for (size_t x = floor_offset_[i]; p.has_soft_floors() && x < floor_offset_[i + 1]; ++x) {
      floored_[i] |= p.soft_floor_kwh[x] > v.e_min_kwh[i] + 1e-9;
    }
  }
  scratch_.assign(workers_, std::vector<double>(longest));
  discharge_scratch_.assign(workers_, std::vector<double>(longest));
  storage_scratch_.resize(workers_);
  if (p.centring_eur_per_h > 0) {  // each car's corridor middle and half-width, laid out like its soft floors
    centring_mid_kwh_.resize(floor_offset_[n]);
    centring_half_kwh_.resize(floor_offset_[n]);
    for (size_t i = 0; i < n; ++i) {
      const EnergyCorridor corridor = energy_corridor(p, i);
      for (size_t k = 0; k < corridor.low_kwh.size(); ++k) {
        centring_mid_kwh_[floor_offset_[i] + k] = (corridor.low_kwh[k] + corridor.high_kwh[k]) / 2;
        centring_half_kwh_[floor_offset_[i] + k] = std::max(1e-3, (corridor.high_kwh[k] - corridor.low_kwh[k]) / 2);
      }
    }
  }

  // Clusters: vehicles sorted by group and window, cut into runs of about equal size that never span groups.
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  auto key = [&](size_t i) { return std::make_tuple(groups_.vehicle_group[i], v.first_step[i], v.end_step[i]); };
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return key(a) < key(b); });
  const size_t per_cluster = std::max<size_t>(1, (n + static_cast<size_t>(std::max(1, clusters)) - 1) /
                                                     static_cast<size_t>(std::max(1, clusters)));
  cluster_of_.assign(n, 0);
  window_class_.assign(n, 0);
  plain_charge_only_.assign(n, 0);
  for (size_t i = 0; i < n; ++i) {
    plain_charge_only_[i] = v.discharge_max_kw[i] <= 0 && !floored_[i] && p.vehicle_wear.empty() && !centred();
    any_plain_charge_only_ |= plain_charge_only_[i] != 0;
  }
  size_t in_current = 0;
  for (size_t r = 0; r < n; ++r) {
    size_t i = order[r];
    int g = groups_.vehicle_group[i];
    if (cluster_group_.empty() || cluster_group_.back() != g || in_current == per_cluster) {
      cluster_group_.push_back(g);
      idle_shortfall_.push_back(0);
      idle_floor_eur_.push_back(0);
      idle_cost_eur_.push_back(0);
      in_current = 0;
    }
    cluster_of_[i] = static_cast<int>(cluster_group_.size() - 1);
    if (class_window_.empty() || class_window_.back() != key(i)) class_window_.push_back(key(i));
    window_class_[i] = static_cast<int>(class_window_.size() - 1);
    idle_shortfall_.back() += std::max(0.0, v.target_kwh[i] - v.e0_kwh[i]);
    for (size_t k = 0; floored_[i] && k < static_cast<size_t>(v.window(i)); ++k) {
      idle_floor_eur_.back() +=
          p.soft_floor_penalty_eur_per_kwh * std::max(0.0, p.soft_floor_kwh[floor_offset_[i] + k] - v.e0_kwh[i]);
    }
    if (!p.vehicle_wear.empty()) {  // parked at e0 all along
      idle_cost_eur_.back() += p.vehicle_wear[i].calendar_eur_per_h(v.e0_kwh[i]) * p.dt_h * v.window(i);
    }
    if (centred()) {
      const Centring centring = centring_of(i);
      for (size_t k = 0; k < static_cast<size_t>(v.window(i)); ++k) {
        idle_cost_eur_.back() += centring.cost_eur(k, v.e0_kwh[i], p.dt_h);
      }
    }
    ++in_current;
  }
  if (cluster_group_.empty()) {  // no vehicles: one empty cluster keeps the master well formed
    cluster_group_.push_back(0);
    idle_shortfall_.push_back(0);
    idle_floor_eur_.push_back(0);
    idle_cost_eur_.push_back(0);
  }
  in_chain_.assign(cluster_group_.size() * groups_.size(), 0);
  for (size_t c = 0; c < cluster_group_.size(); ++c) {
    for (int g = cluster_group_[c]; g >= 0; g = groups_.parent[static_cast<size_t>(g)]) {
      in_chain_[c * groups_.size() + static_cast<size_t>(g)] = 1;
    }
  }
}

// Runs body(begin, end, worker) over [0, n) split into contiguous chunks, one thread per core.
template <class Body>
void Decomposition::parallel_chunks(size_t n, Body body) const {
  if (workers_ <= 1 || n < 512) {
    body(size_t{0}, n, 0u);
    return;
  }
  std::vector<std::thread> threads;
  for (unsigned w = 0; w < workers_; ++w) {
    size_t begin = n * w / workers_, end = n * (w + 1) / workers_;
    threads.emplace_back([=] { body(begin, end, w); });
  }
  for (auto& t : threads) t.join();
}

// Per limit group: charge prices, discharge revenues and the charge-price ranking at surcharges lambda. A
// vehicle's surcharge at a step is the sum of those of the groups it counts in, so vehicles of one innermost
// group share prices and one ranking.
Decomposition::PassPrices Decomposition::prices(const std::vector<double>& lambda) const {
  const size_t steps = static_cast<size_t>(p_.steps);
  std::vector<std::vector<double>> surcharge(groups_.size(), std::vector<double>(steps, 0.0));
  for (size_t r = 0; r < rows_.size(); ++r) surcharge[rows_[r].group][rows_[r].step] += lambda[r] / p_.dt_h;
  PassPrices pass;
  std::vector<GroupPrices>& out = pass.group;
  out.resize(groups_.size());
  for (size_t g = 0; g < groups_.size(); ++g) {
    GroupPrices& gp = out[g];
    gp.charge = p_.import_price_eur_per_kwh;
    gp.revenue = p_.export_price_eur_per_kwh;
    for (double& x : gp.revenue) x -= p_.wear_eur_per_kwh;
    for (int h = static_cast<int>(g); h >= 0; h = groups_.parent[static_cast<size_t>(h)]) {
      for (size_t t = 0; t < steps; ++t) {
        gp.charge[t] += surcharge[h][t];
        gp.revenue[t] += surcharge[h][t];
      }
    }
    gp.ranking = rank_steps(gp.charge);
  }
  for (size_t c = 0; any_plain_charge_only_ && c < class_window_.size(); ++c) {  // only their greedy uses them
    const auto& [group, first, end] = class_window_[c];
    pass.window.add(out[static_cast<size_t>(group)].ranking, first, end);
  }
  return pass;
}

ResponseCost Decomposition::respond(size_t i, const PassPrices& pp, std::span<double> kw, unsigned worker,
                                    std::span<double> discharge_kw) {
  const GroupPrices& gp = pp.group[static_cast<size_t>(groups_.vehicle_group[i])];
  const VehicleWear* wear = p_.vehicle_wear.empty() ? nullptr : &p_.vehicle_wear[i];
  const CalendarKinks* kinks = p_.vehicle_wear.empty() ? nullptr : &kinks_[i];
  if (floored_[i] || wear != nullptr || centred()) {
    std::span<const double> floors;
    if (floored_[i]) floors = std::span<const double>(p_.soft_floor_kwh.data() + floor_offset_[i], kw.size());
    const Centring centring = centred() ? centring_of(i) : Centring{};
    return storage_response(p_, i, gp.charge, gp.revenue, penalty_, kw, storage_scratch_[worker], discharge_kw, floors,
                            p_.soft_floor_penalty_eur_per_kwh, wear, kinks, centred() ? &centring : nullptr);
  }
  if (p_.vehicles.discharge_max_kw[i] > 0) {
    return storage_response(p_, i, gp.charge, gp.revenue, penalty_, kw, storage_scratch_[worker], discharge_kw);
  }
  // A plain charge-only car: its window's ranking (the callers that sum many of them skip the window).
  std::fill(discharge_kw.begin(), discharge_kw.end(), 0.0);
  return charge_only_response(p_, i, gp.charge, pp.window.of(static_cast<size_t>(window_class_[i])), penalty_, kw);
}

Pass Decomposition::price(const std::vector<double>& lambda) {
  const PassPrices pp = prices(lambda);
  const PlanVehicles& v = p_.vehicles;
  const size_t steps = static_cast<size_t>(p_.steps), k = clusters();
  std::vector<Pass> partial(workers_);
  parallel_chunks(v.size(), [&](size_t begin, size_t end, unsigned w) {
    Pass& out = partial[w];
    out = Pass(steps, k);
    for (size_t i = begin; i < end; ++i) {
      const size_t c = static_cast<size_t>(cluster_of_[i]);
      double* agg = out.cluster_kw.data() + c * steps + static_cast<size_t>(v.first_step[i]);
      ResponseCost r;
      if (plain_charge_only(i)) {
        const GroupPrices& gp = pp.group[static_cast<size_t>(groups_.vehicle_group[i])];
        r = charge_only_response(p_, i, gp.charge, pp.window.of(static_cast<size_t>(window_class_[i])), penalty_,
                                 [agg](int s, double kw) { agg[s] += kw; });
      } else {
        std::span<double> kw(scratch_[w].data(), static_cast<size_t>(v.window(i)));
        r = respond(i, pp, kw, w);
        for (size_t s = 0; s < kw.size(); ++s) agg[s] += kw[s];
      }
      out.cost_eur[c] += r.objective_eur(penalty_);
      out.shortfall_kwh[c] += r.shortfall_kwh;
      out.floor_eur[c] += r.floor_eur;
      out.lagrangian_eur += r.priced_eur;
    }
  });
  Pass pass(steps, k);
  for (const Pass& part : partial) {
    if (part.cluster_kw.empty()) continue;
    pass.lagrangian_eur += part.lagrangian_eur;
    for (size_t x = 0; x < pass.cluster_kw.size(); ++x) pass.cluster_kw[x] += part.cluster_kw[x];
    for (size_t c = 0; c < k; ++c) {
      pass.cost_eur[c] += part.cost_eur[c];
      pass.shortfall_kwh[c] += part.shortfall_kwh[c];
      pass.floor_eur[c] += part.floor_eur[c];
    }
  }
  pass.lagrangian_eur -= limits_share_eur(lambda);
  return pass;
}

// The limits' share of the Lagrangian: lambda * import limit where lambda > 0, |lambda| * export limit below.
double Decomposition::limits_share_eur(const std::vector<double>& lambda) const {
  double eur = 0;
  for (size_t r = 0; r < rows_.size(); ++r) {
    const LimitRow& row = rows_[r];
    if (row.follows) {
      eur += lambda[r] * row.profile_kw;
    } else if (lambda[r] > 0) {
      eur += lambda[r] * row.import_kw;
    } else if (lambda[r] < 0) {
      eur += -lambda[r] * row.export_kw;
    }
  }
  return eur;
}

Pass Decomposition::tie_broken_pass(const std::vector<double>& lambda, double eps, bool reverse,
                                    const std::vector<size_t>& offset, std::span<double> charge_kw,
                                    std::span<double> discharge_kw, unsigned worker) {
  PassPrices pp = prices(lambda);
  const PassPrices at_lambda = pp;
  const bool following = !p_.fleet_profile_kw.empty();
  const PlanVehicles& v = p_.vehicles;
  const size_t steps = static_cast<size_t>(p_.steps), k = clusters(), n = v.size();
  // Per step: the binding row's limit (the load to reach), the load placed, the cars present and placed, and
  // the offset off lambda each car is priced at (every group alike: feeders here have no rows of their own).
  std::vector<double> target(steps, 0.0), load(steps, 0.0), present(steps, 0.0), placed(steps, 0.0);
  std::vector<double> tau(steps, 0.0);
  std::vector<unsigned char> binding(steps, 0);
  for (size_t r = 0; r < rows_.size(); ++r) {
    if (rows_[r].group != 0 || (!rows_[r].follows && lambda[r] == 0)) continue;
    const size_t t = static_cast<size_t>(rows_[r].step);
    binding[t] = 1;  // a followed profile binds at every step
    target[t] = rows_[r].follows ? rows_[r].profile_kw : (lambda[r] > 0 ? rows_[r].import_kw : -rows_[r].export_kw);
  }
  for (size_t i = 0; i < n; ++i) {
    for (int t = v.first_step[i]; t < v.end_step[i]; ++t) present[static_cast<size_t>(t)] += 1;
  }
  auto price_at = [&](size_t t, double offset_eur_per_kw) {
    for (size_t g = 0; g < pp.group.size(); ++g) {
      pp.group[g].charge[t] = at_lambda.group[g].charge[t] + offset_eur_per_kw / p_.dt_h;
      pp.group[g].revenue[t] = at_lambda.group[g].revenue[t] + offset_eur_per_kw / p_.dt_h;
    }
  };
  // The offset: eps times how far the load stands from its pro-rata share of the limit, in cars' shares of it.
  auto update_tau = [&](size_t t) {
    if (!binding[t]) return;
    const double share = present[t] > 0 ? std::min(1.0, (placed[t] + 1) / present[t]) : 1.0;
    const double per_car = std::max(1e-3, std::abs(target[t]) / std::max(1.0, present[t]));
    tau[t] = eps * std::clamp((load[t] - target[t] * share) / per_car, -1.0, 1.0);
    price_at(t, tau[t]);
  };
  for (size_t t = 0; t < steps; ++t) update_tau(t);

  Pass out(steps, k);
  std::vector<int> ranking;                 // a charge-only car's window by price
  std::vector<double> bump(steps, 0.0);     // the extra offset of a car's retry, per step
  std::vector<size_t> bumped;
  for (size_t placed_cars = 0; placed_cars < n; ++placed_cars) {
    const size_t i = reverse ? n - 1 - placed_cars : placed_cars;
    const size_t window = static_cast<size_t>(v.window(i)), first = static_cast<size_t>(v.first_step[i]);
    std::span<double> kw(scratch_[worker].data(), window), dis(discharge_scratch_[worker].data(), window);
    auto respond_here = [&] {
      if (!plain_charge_only(i)) return respond(i, pp, kw, worker, dis);
      const std::vector<double>& charge = pp.group[static_cast<size_t>(groups_.vehicle_group[i])].charge;
      ranking.resize(window);
      std::iota(ranking.begin(), ranking.end(), static_cast<int>(first));
      std::stable_sort(ranking.begin(), ranking.end(), [&](int a, int b) { return charge[a] < charge[b]; });
      std::fill(dis.begin(), dis.end(), 0.0);
      return charge_only_response(p_, i, charge, ranking, penalty_, kw);
    };
    ResponseCost r = respond_here();
    // A car that would push a fleet limit past itself (importing past the import limit, exporting past the
    // export limit) is priced again with those steps 1000 eps dearer that way, the bumps adding up over retries.
    for (int attempt = 0; attempt < 2 && !following; ++attempt) {  // a followed profile replaces the limits
      bool more = false;
      for (size_t s = 0; s < window; ++s) {
        const size_t t = first + s;
        const double after = load[t] + kw[s], slack = 1e-9 * std::max(1.0, std::abs(after));
        const int way = kw[s] > 0 && after > p_.import_limit_kw[t] + slack ? 1
                        : kw[s] < 0 && -after > p_.export_limit_kw[t] + slack ? -1 : 0;
        if (way == 0) continue;
        if (bump[t] == 0) bumped.push_back(t);
        bump[t] += way * 1000 * eps;
        price_at(t, tau[t] + bump[t]);
        more = true;
      }
      if (!more) break;
      r = respond_here();
    }
    // What the offsets could move any of its schedules' cost by (each step's offset times the most power the car
    // can move then): its best at lambda itself costs at least its cost here less that.
    const double most_kw = std::max(v.charge_max_kw[i], v.discharge_max_kw[i]);
    double offset_eur = 0;
    for (size_t s = 0; s < window; ++s) {
      offset_eur += std::abs(tau[first + s] + bump[first + s]) * most_kw * v.fraction(i, static_cast<int>(s));
    }
    for (size_t t : bumped) {
      bump[t] = 0;
      price_at(t, tau[t]);
    }
    bumped.clear();
    const size_t c = static_cast<size_t>(cluster_of_[i]);
    out.cost_eur[c] += r.objective_eur(penalty_);
    out.shortfall_kwh[c] += r.shortfall_kwh;
    out.floor_eur[c] += r.floor_eur;
    out.lagrangian_eur += r.priced_eur - offset_eur;
    double* agg = out.cluster_kw.data() + c * steps + first;
    for (size_t s = 0; s < window; ++s) {
      agg[s] += kw[s];
      charge_kw[offset[i] + s] = kw[s] + dis[s];
      discharge_kw[offset[i] + s] = dis[s];
      load[first + s] += kw[s];
      placed[first + s] += 1;
      update_tau(first + s);
    }
  }
  out.lagrangian_eur -= limits_share_eur(lambda);
  return out;
}

void Decomposition::accumulate(const std::vector<double>& lambda, const std::vector<double>& weight,
                               const std::vector<size_t>& offset, std::vector<double>& charge_kw,
                               std::vector<double>& discharge_kw) {
  const PassPrices pp = prices(lambda);
  const PlanVehicles& v = p_.vehicles;
  parallel_chunks(v.size(), [&](size_t begin, size_t end, unsigned w) {
    for (size_t i = begin; i < end; ++i) {
      double mu = weight[static_cast<size_t>(cluster_of_[i])];
      if (mu <= 0) continue;
      double* charge = charge_kw.data() + offset[i];
      double* discharge = discharge_kw.data() + offset[i];
      if (plain_charge_only(i)) {
        const GroupPrices& gp = pp.group[static_cast<size_t>(groups_.vehicle_group[i])];
        charge_only_response(p_, i, gp.charge, pp.window.of(static_cast<size_t>(window_class_[i])), penalty_,
                             [charge, mu](int s, double kw) { charge[s] += mu * kw; });
        continue;
      }
      const size_t window = static_cast<size_t>(v.window(i));
      std::span<double> kw(scratch_[w].data(), window), out(discharge_scratch_[w].data(), window);
      respond(i, pp, kw, w, out);
      for (size_t s = 0; s < window; ++s) {
        charge[s] += mu * (kw[s] + out[s]);
        discharge[s] += mu * out[s];
      }
    }
  });
}

}  // namespace voltpool
