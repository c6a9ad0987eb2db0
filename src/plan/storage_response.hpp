// A bidirectional car's cheapest schedule against given step prices, on its own (no site limit): the pricing
// step of the decomposition for cars that may discharge, with any efficiencies.
//
// The car is a store with a per-step power box, an energy window [e_min, e_max] at every step and a target at
// its departure (each stored kWh missing costs the shortfall penalty). It is solved exactly by dynamic
// programming over its stored energy: the cost-to-go V_k(e) is convex and piecewise linear, so it is kept as
// its sorted list of slopes (a "slope trick"). Going one step back is an infimal convolution with the step's
// own cost, which only inserts two segments (charging at price / eta_c per stored kWh, discharging at revenue *
// eta_d), then the energy window cuts the dearest and cheapest ends. The forward pass needs only two
// thresholds per step (where V's slope crosses the two step slopes, a binary search), so memory is O(window)
// and time O(window^2) with tiny constants (an insertion into a short sorted array).
//
// This is the LP's own model of a step (charge and discharge as two variables): where discharging earns more
// per stored kWh than charging costs (negative prices, or a binding export limit's surcharge), the LP and this
// response charge and discharge in the same step; the plan then carries the net power and counts the step.
#pragma once

#include <span>
#include <vector>

#include "plan/problem.hpp"
#include "plan/vehicle_response.hpp"

namespace voltpool {

// A wear model's calendar lines as the dynamic programme adds them: the slope below all kinks, and per kink
// (absolute stored kWh, rise of the slope there).
struct CalendarKinks {
  double base_slope = 0;
  std::vector<std::pair<double, double>> at;
};
CalendarKinks calendar_kinks(const VehicleWear& wear);

// Keeping a car near the middle of its energy corridor (PlanningProblem::centring_eur_per_h): per window step
// the corridor's middle and half-width (kWh stored), and the cost of being off the middle (centring_step_eur).
struct Centring {
  std::span<const double> mid_kwh, half_kwh;
  double eur_per_h = 0;
  double cost_eur(size_t k, double stored_kwh, double dt_h) const;
};

struct StorageScratch {
  std::vector<double> slope, end;  // V's segments: ascending slope, and the energy where each ends
  std::vector<double> low_cross, high_cross;  // per window step: where V_{k+1}'s slope crosses -s_lo and -s_hi
};

// Writes vehicle i's mean grid power (import - export) per window step into kw (size window(i)) and, when
// discharge_kw is not empty, the discharging part of it (>= 0; charging is kw + discharge_kw).
// charge_price: EUR per grid kWh imported; discharge_revenue: EUR per grid kWh exported (wear already taken off);
// both per step of the problem. `penalty` is p.shortfall_penalty_eur_per_kwh().
// `floor_kwh`, when not empty, is the vehicle's soft floors per window step (PlanningProblem::soft_floor_kwh),
// each kWh below one at a step's end costing `floor_penalty`. `wear`, when given, is the vehicle's battery wear
// (PlanningProblem::vehicle_wear): its calendar cost, convex in the energy at each step's end, is added to the
// cost-to-go kink by kink (`kinks`: calendar_kinks(*wear), worked out here when not given), and its cycling cost
// to both step slopes. `centring`, when given, adds its cost at each step's end the same way.
ResponseCost storage_response(const PlanningProblem& p, size_t i, std::span<const double> charge_price,
                              std::span<const double> discharge_revenue, double penalty, std::span<double> kw,
                              StorageScratch& s, std::span<double> discharge_kw = {},
                              std::span<const double> floor_kwh = {}, double floor_penalty = 0,
                              const VehicleWear* wear = nullptr, const CalendarKinks* kinks = nullptr,
                              const Centring* centring = nullptr);

}  // namespace voltpool
