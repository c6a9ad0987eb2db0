// The pricing side of the fast planner (fast_solver.hpp): the master's rows, the clusters of vehicles that
// each get their own convex combination, and the passes over the fleet that price step surcharges into every
// vehicle's own optimal response.
#pragma once

#include <span>
#include <tuple>
#include <vector>

#include "plan/problem.hpp"
#include "plan/storage_response.hpp"
#include "plan/vehicle_response.hpp"

namespace voltpool {

// One master row: the power of a group (0 the fleet, f + 1 feeder f) at one step.
struct LimitRow {
  int group, step;
  double import_kw, export_kw;  // kNoLimit where that side is free
  bool follows = false;         // an equality row: the fleet follows profile_kw
  double profile_kw = 0;
};

// The master's rows of a problem: with a followed profile one equality row per step, else one per step and limit
// group where that group has a limit (export limits only where some vehicle may discharge).
std::vector<LimitRow> master_rows(const PlanningProblem& p);

// What one pricing pass found, per cluster: its vehicles' summed power per step, true cost (energy + shortfall
// penalty + soft floor cost + wear + centring), shortfall and floor cost; and over the fleet the Lagrangian (a
// lower bound).
struct Pass {
  Pass() = default;
  Pass(size_t steps, size_t clusters)  // all zero
      : steps(steps), cluster_kw(clusters * steps, 0.0), cost_eur(clusters, 0.0), shortfall_kwh(clusters, 0.0),
        floor_eur(clusters, 0.0) {}
  size_t steps = 0;
  std::vector<double> cluster_kw;  // cluster-major, steps per cluster
  std::vector<double> cost_eur, shortfall_kwh, floor_eur;
  double lagrangian_eur = 0;

  std::span<const double> kw_of(size_t cluster) const { return {cluster_kw.data() + cluster * steps, steps}; }
};

class Decomposition {
 public:
  // Vehicles are grouped into about `clusters` clusters of similar windows inside one limit group each. Requires
  // p.soft_floor_kwh, when set, to hold one value per vehicle-step.
  Decomposition(const PlanningProblem& p, int clusters);

  const std::vector<LimitRow>& rows() const { return rows_; }
  size_t clusters() const { return cluster_group_.size(); }
  // Whether cluster c's power counts in row r.
  bool counts_in(size_t cluster, size_t row) const {
    return in_chain_[cluster * groups_.size() + static_cast<size_t>(rows_[row].group)] != 0;
  }
  // The shortfall of cluster c's vehicles when none of them moves, what their soft floors cost then (a penalty)
  // and their calendar wear and centring parked (a cost).
  double idle_shortfall_kwh(size_t cluster) const { return idle_shortfall_[cluster]; }
  double idle_floor_eur(size_t cluster) const { return idle_floor_eur_[cluster]; }
  double idle_cost_eur(size_t cluster) const { return idle_cost_eur_[cluster]; }

  // Every vehicle's response at the rows' surcharges `lambda` (EUR per kW of step-mean power).
  Pass price(const std::vector<double>& lambda);
  // The limits' share of the Lagrangian at lambda (what the pass's Lagrangian takes off the vehicles' costs).
  double limits_share_eur(const std::vector<double>& lambda) const;
  // Every vehicle's response at `lambda` with its ties broken towards the limits of the binding rows (lambda
  // != 0; with a followed profile, the profile at every step), for a master that starts next to the optimum.
  // At an optimal dual point most cars are indifferent between several schedules (steps of one price, or a
  // binding step and the step its surcharge matches), and the limits are met only by a particular choice among
  // them: the cars are placed one after another (`reverse`: last first), each priced up to eps_eur_per_kw off
  // lambda at every binding step by how far the load placed so far stands from that step's limit pro rata
  // (the cars present there already placed, over all present there, measured in a car's share of the limit),
  // so the loads end near the limits; a car that would push a limit past itself is priced again with that
  // step 1000 eps dearer that way (not when following). eps is far below real price differences, so a car
  // tied at lambda stays at one of its optimal schedules.
  // Each vehicle's charging and discharging go to charge_kw and discharge_kw (plan layout, by `offset`). The
  // pass's Lagrangian is a lower bound at lambda: each car's cost at its own prices, less what the offsets could
  // have moved it. Fleet rows only (feeders without limits take the same offsets); `worker` picks the scratch
  // space (two calls may run at once with different workers).
  Pass tie_broken_pass(const std::vector<double>& lambda, double eps_eur_per_kw, bool reverse,
                       const std::vector<size_t>& offset, std::span<double> charge_kw,
                       std::span<double> discharge_kw, unsigned worker);
  unsigned workers() const { return workers_; }
  int cluster_of(size_t vehicle) const { return cluster_of_[vehicle]; }

  // Adds weight[c] * (the response at lambda) of each vehicle of every cluster c with a weight > 0: its
  // charging to charge_kw and its discharging to discharge_kw (both laid out as plan.kw, by plan.offset).
  void accumulate(const std::vector<double>& lambda, const std::vector<double>& weight,
                  const std::vector<size_t>& offset, std::vector<double>& charge_kw, std::vector<double>& discharge_kw);

 private:
  struct GroupPrices {
    std::vector<double> charge, revenue;
    std::vector<int> ranking;
  };
  struct PassPrices {
    std::vector<GroupPrices> group;
    WindowRankings window;  // each window class's steps by its group's charge price
  };
  PassPrices prices(const std::vector<double>& lambda) const;
  // A charge-only car with no soft floors, wear model or centring: the greedy, writing only the steps it charges.
  bool plain_charge_only(size_t i) const { return plain_charge_only_[i] != 0; }
  ResponseCost respond(size_t i, const PassPrices& pp, std::span<double> kw, unsigned worker,
                       std::span<double> discharge_kw = {});
  template <class Body>
  void parallel_chunks(size_t n, Body body) const;

  const PlanningProblem& p_;
  LimitGroups groups_;
  double penalty_;
  unsigned workers_;
  std::vector<LimitRow> rows_;
  std::vector<int> cluster_of_;             // per vehicle
  std::vector<int> window_class_;           // per vehicle: its (group, window) class
  std::vector<std::tuple<int, int, int>> class_window_;  // per class: group, first step, end step
  std::vector<unsigned char> plain_charge_only_;         // per vehicle
  bool any_plain_charge_only_ = false;
  std::vector<size_t> floor_offset_;        // per vehicle: where its soft floors start
  std::vector<unsigned char> floored_;      // per vehicle: some floor above its window's own
  std::vector<CalendarKinks> kinks_;        // per vehicle with a wear model
  // With centring (PlanningProblem::centring_eur_per_h): every car's corridor middle and half-width per window
  // step, laid out like the soft floors.
  std::vector<double> centring_mid_kwh_, centring_half_kwh_;
  bool centred() const { return p_.centring_eur_per_h > 0; }
  Centring centring_of(size_t i) const {
    const size_t w = floor_offset_[i + 1] - floor_offset_[i];
    return Centring{{centring_mid_kwh_.data() + floor_offset_[i], w}, {centring_half_kwh_.data() + floor_offset_[i], w},
                    p_.centring_eur_per_h};
  }
  std::vector<int> cluster_group_;          // per cluster: its limit group
  std::vector<unsigned char> in_chain_;     // cluster x group: the group contains the cluster
  std::vector<double> idle_shortfall_, idle_floor_eur_, idle_cost_eur_;  // per cluster
  std::vector<std::vector<double>> scratch_, discharge_scratch_;  // per worker
  std::vector<StorageScratch> storage_scratch_;  // per worker
};

}  // namespace voltpool
