// The fleet planning problem: for every vehicle and step, the mean grid power (kW, + charges) that minimises
// energy cost (export credited) + wear + a lexicographic penalty on missing the owners' targets, subject to
// each vehicle's power box, energy window and efficiencies, and the site's import/export limits per step.
// Vehicles are stored as a structure of arrays, for the loops that read them.
#pragma once

#include <limits>
#include <utility>
#include <optional>
#include <span>
#include <vector>

#include "core/default_init_allocator.hpp"

namespace voltpool {

inline constexpr double kNoLimit = std::numeric_limits<double>::infinity();

// A feeder (or site) inside the fleet's connection: its vehicles' summed power is limited per step. Feeders
// nest: each has a parent feeder (-1: directly under the fleet's own connection point), listed before it.
struct Feeder {
  int parent = -1;
  std::vector<double> import_limit_kw;  // per step; kNoLimit for none
  std::vector<double> export_limit_kw;
};

struct PlanVehicles {
  // Window [first_step, end_step). Power bounds are step means: a car present for a fraction f of a step may
  // charge at most f * charge_max_kw on average over that step.
  std::vector<int> first_step, end_step;
  std::vector<double> first_fraction, last_fraction;
  std::vector<double> charge_max_kw, discharge_max_kw;  // discharge 0 for charge-only or no consent
  std::vector<double> e0_kwh, e_min_kwh, e_max_kwh, target_kwh;
  std::vector<double> eta_charge, eta_discharge;
  std::vector<int> feeder;  // the innermost feeder a vehicle hangs on, -1 for none

  size_t size() const { return first_step.size(); }
  // The energy vehicle i's battery takes in (< 0: gives up) at a mean grid power over a step of dt_h hours.
  double stored_kwh(size_t i, double kw, double dt_h) const {
    return (kw >= 0 ? kw * eta_charge[i] : kw / eta_discharge[i]) * dt_h;
  }
  int window(size_t i) const { return end_step[i] - first_step[i]; }
  // Presence share of window step k (0-based within the window).
  double fraction(size_t i, int k) const {
    int w = window(i);
    if (w == 1) return first_fraction[i];
    if (k == 0) return first_fraction[i];
    if (k == w - 1) return last_fraction[i];
    return 1.0;
  }
  void reserve(size_t n);
  // Appends one vehicle; e_min/e_max are widened to contain e0 (a car outside its window may only move into it).
  void add(int first, int end, double first_frac, double last_frac, double charge_kw, double discharge_kw, double e0,
           double e_min, double e_max, double target, double eta_c, double eta_d, int feeder_index = -1);
};

// A vehicle's battery wear in the objective (battery/wear_cost.hpp): calendar cost per hour, the maximum of
// lines in its stored energy (convex), and a cost per kWh moved through the battery.
struct VehicleWear {
  std::vector<std::pair<double, double>> calendar_lines;  // (EUR/h per kWh stored, EUR/h)
  double throughput_eur_per_kwh = 0;                     // battery side, charge or discharge

  double calendar_eur_per_h(double stored_kwh) const;     // the maximum of the lines (0 without any)
};

// What an owner allows the VPP to do with their car within a plan (kNoLimit for no limit).
struct OwnerGuardrails {
  double discharge_cap_kwh = kNoLimit;  // grid-side energy discharged
  // The battery wear (calendar + cycling, in money) the plan may add to what charging on arrival would cause
  // (the owner's default: full power from arrival until the target, see arrival_charging_plan).
  double extra_wear_budget_eur = kNoLimit;
};

struct Plan;

struct PlanningProblem {
  int steps = 0;
  double dt_h = 0.25;
  std::vector<double> import_price_eur_per_kwh;   // per step
  std::vector<double> export_price_eur_per_kwh;   // per step
  std::vector<double> import_limit_kw;            // per step, the whole fleet; kNoLimit for none
  std::vector<double> export_limit_kw;            // per step, the whole fleet; kNoLimit for none
  double wear_eur_per_kwh = 0;                    // per kWh discharged (grid side)
  PlanVehicles vehicles;
  std::vector<Feeder> feeders;                    // optional, nested inside the fleet's limits
  std::vector<VehicleWear> vehicle_wear;          // optional, one per vehicle (both planners)
  std::vector<OwnerGuardrails> guardrails;        // optional, one per vehicle (exact planner)
  // When set (one value per step, kW, + imports), the fleet follows this profile instead of minding its own
  // limits: each kWh of deviation costs deviation_penalty_eur_per_kwh() (up to twice that for early steps, so
  // the profile is kept as long as it can be), and the plan reports the deviation.
  std::vector<double> fleet_profile_kw;
  // When hold_steps > 0: the fleet (group 0) or a feeder (group f + 1) holds one power over steps
  // [hold_first_step, hold_first_step + hold_steps), imported (direction +1) or exported (-1). The exact LP
  // maximises it after the owners' needs, or keeps it at hold_fixed_kw when that is set.
  int hold_first_step = 0;
  int hold_steps = 0;
  int hold_direction = +1;
  int hold_group = 0;
  std::optional<double> hold_fixed_kw;
  std::optional<double> shortfall_cap_kwh;  // caps the total shortfall (for lexicographic two-phase solves)
  // When > 0 (both planners; the decomposition then plans every car by its dynamic programme), each car's
  // stored energy is kept near the middle of its corridor (energy_corridor) at this cost per hour at the
  // corridor's edge, a convex two-piece penalty: among equally good plans, the one that leaves every car able
  // to move both ways later and spreads power, and so cycling, over the cars.
  double centring_eur_per_h = 0;
  // Soft energy floors (empty: none): per vehicle-step, laid out like a plan's powers (vehicle after vehicle,
  // its window's steps), the stored energy a car should hold at the step's end, e.g. enough to reach its
  // target even if it later gets only part of its power; each kWh below a floor at a step's end costs
  // soft_floor_penalty_eur_per_kwh. Both planners carry them.
  std::vector<double> soft_floor_kwh;
  double soft_floor_penalty_eur_per_kwh = 0;

  // What each kWh missing at a departure costs in the objective: ten times the dearest price, revenue or wear
  // in the problem (at least 1 EUR/kWh), so the planner first delivers all it physically can and only then
  // minimises cost, while the objective stays well scaled for the solvers.
  double shortfall_penalty_eur_per_kwh() const;
  // A quarter of the shortfall penalty: above any price spread, below an owner's need (a profile that would
  // leave a car short is not followed).
  double deviation_penalty_eur_per_kwh() const { return shortfall_penalty_eur_per_kwh() / 4; }
  bool any_discharge() const;
  bool has_feeder_limits() const;  // some feeder limits some step
  bool has_soft_floors() const { return !soft_floor_kwh.empty() && soft_floor_penalty_eur_per_kwh > 0; }
  // What a plan's energies below the soft floors cost.
  double soft_floor_cost_eur(const Plan& plan) const;
  // What a kW of deviation from a followed profile costs at step t over the step: earlier deviations cost up to
  // twice as much, so the nearest profile keeps to the asked one as long as it can.
  double deviation_cost_eur_per_kw(int t) const {
    return deviation_weight(t) * deviation_penalty_eur_per_kwh() * dt_h;
  }
  // The same, given the penalty (callers in loops compute it once).
  double deviation_weight(int t) const { return 1.0 + static_cast<double>(steps - t) / steps; }
};

// The limit groups of a problem: group 0 is the whole fleet, group f + 1 is feeder f. For solvers.
struct LimitGroups {
  std::vector<int> parent;                            // group -> parent group (-1 for the fleet)
  std::vector<const std::vector<double>*> import_kw;  // group -> per-step import limit
  std::vector<const std::vector<double>*> export_kw;
  std::vector<int> vehicle_group;                     // vehicle -> its innermost group

  explicit LimitGroups(const PlanningProblem& p);
  size_t size() const { return parent.size(); }
  // The groups a vehicle's power counts in, innermost first, ending with the fleet (0).
  template <class F>
  void for_chain(size_t vehicle, F f) const {
    for (int g = vehicle_group[vehicle]; g >= 0; g = parent[static_cast<size_t>(g)]) f(g);
  }
};

// A plan: each vehicle's mean grid power over each step of its window, laid out vehicle after vehicle.
struct Plan {
  std::vector<size_t> offset;  // size vehicles + 1
  // resize() leaves new values unset (DefaultInitAllocator): whoever resizes writes every one.
  std::vector<double, DefaultInitAllocator<double>> kw;
  std::vector<double> shortfall_kwh;  // per vehicle: target not reached at the end of its window
  std::vector<double> deviation_kw;   // per step, with a fleet profile: profile - fleet power
  double hold_kw = 0;                 // with a hold: the power held
  double energy_cost_eur = 0;         // import cost - export credit
  double wear_cost_eur = 0;           // the flat per-kWh discharge wear
  double battery_wear_eur = 0;        // with vehicle_wear: calendar + cycling wear of the plan
  double objective_eur = 0;  // energy + wear + shortfall penalty + soft floors + centring (+ deviation, - hold reward)
  double lower_bound_eur = -std::numeric_limits<double>::infinity();  // a proven bound on the optimum
  int iterations = 0;
  int simultaneous_steps = 0;         // vehicle-steps that both charge and discharge (see README)

  std::span<const double> of(size_t v) const { return {kw.data() + offset[v], offset[v + 1] - offset[v]}; }
  double gap() const;  // (objective - lower bound) / max(1, |energy + wear cost|)
};

// Cost, wear and shortfall of a plan, recomputed from its powers (the reference accounting).
struct PlanCheck {
  double energy_cost_eur = 0;
  double wear_cost_eur = 0;
  double shortfall_kwh = 0;
  double max_site_excess_kw = 0;       // > 0 when a fleet or feeder limit is broken
  double max_power_violation_kw = 0;
  double max_energy_violation_kwh = 0;
  std::vector<double> vehicle_shortfall_kwh;  // per vehicle: target not reached at the end of its window
  std::vector<double> fleet_kw;               // per step: the fleet's power (compensated sums)
};
PlanCheck check_plan(const PlanningProblem& p, const Plan& plan);
// The centring cost of one car over one step (PlanningProblem::centring_eur_per_h) with its stored energy off
// its corridor's middle: per kWh off, half the rate up to half the half-width, one and a half times beyond;
// the rate is eur_per_h * dt_h / half-width. Convex, as both planners need it.
double centring_step_eur(double eur_per_h, double dt_h, double mid_kwh, double half_kwh, double stored_kwh);
// What keeping the cars off their corridors' middles costs under centring_eur_per_h (0 without).
double centring_cost_eur(const PlanningProblem& p, const Plan& plan);
// Fills a plan's accounts from its powers: each vehicle's shortfall, energy cost, flat and battery wear, the
// deviation from a followed profile, and the objective (all of them with the shortfall penalty, soft floors,
// centring and deviation costs). The followed profile is p's, or profile_kw where the caller follows one p does
// not carry (a fleet of millions is not copied to carry it).
void account_plan(const PlanningProblem& p, Plan& plan, std::span<const double> profile_kw);
inline void account_plan(const PlanningProblem& p, Plan& plan) { account_plan(p, plan, p.fleet_profile_kw); }
// The battery wear of a plan under the problem's vehicle_wear (0 without), per vehicle, in money.
std::vector<double> plan_battery_wear_eur(const PlanningProblem& p, const Plan& plan);
// A vehicle's energy corridor: per window step, the least energy it can hold at the step's end and still reach
// its target (at most its ceiling) by departure at full power, and the most it can hold by then; both within
// its window [e_min, e_max] and what it can reach from its arrival energy. Where the target is out of reach the
// corridor closes at the most it can hold.
struct EnergyCorridor {
  std::vector<double> low_kwh, high_kwh;
};
EnergyCorridor energy_corridor(const PlanningProblem& p, size_t vehicle);

// Every vehicle's default schedule: full power from arrival until its target (at most its ceiling), then idle.
Plan arrival_charging_plan(const PlanningProblem& p);
// The fleet's power per step under a plan.
std::vector<double> fleet_power_kw(const PlanningProblem& p, const Plan& plan);
// The power per step of a limit group (0 the fleet, f + 1 feeder f) under a plan.
std::vector<double> group_power_kw(const PlanningProblem& p, const Plan& plan, int group);

}  // namespace voltpool
