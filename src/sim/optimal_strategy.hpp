// Optimal charging (and V2G) on a rolling horizon: whenever cars arrive or new day-ahead prices are published,
// the plugged-in fleet is re-planned at the optimum from its present energy, over the owners' estimated
// departures, under the site limits. Prices not yet published are forecast by persistence (the price at the
// same time one day earlier, the last one known). Charge-only fleets use the fast planner, V2G the exact LP.
#pragma once

#include <unordered_map>
#include <vector>

#include <map>
#include <optional>

#include "battery/wear_cost.hpp"
#include "plan/problem.hpp"
#include "sim/strategy.hpp"

namespace voltpool {

// A battery's wear rates (per unit SoC) as the planner's per-kWh form for a battery of that capacity.
VehicleWear wear_in_energy(const WearRates& rates, double capacity_kwh);

// The planner's wear curve of each battery size under one cell model, linearised once per size.
class WearCurves {
 public:
  explicit WearCurves(WearParams params) : params_(params) {}
  const VehicleWear& for_capacity(double capacity_kwh);

 private:
  WearParams params_;
  std::map<double, VehicleWear> by_capacity_;
};

struct OptimalStrategyOptions {
  bool v2g = false;
  double wear_eur_per_kwh = 0.03;  // per kWh discharged, in the objective (V2G only), without a wear model
  // With a cell model, the plan carries each car's calendar and cycling wear instead (exact LP).
  std::optional<WearParams> wear;
  // V2G under uncertainty (later arrivals competing for the site, owners leaving early): each car keeps, as a
  // soft floor at every step, the energy from which it still reaches its target charging at this share of its
  // power for the rest of its stay; each kWh below costs a tenth of the shortfall penalty per step (0: off).
  double reserve_share = 0;
};

class OptimalStrategy final : public Strategy {
 public:
  explicit OptimalStrategy(OptimalStrategyOptions options) : options_(options) {
    if (options_.wear) wear_curves_.emplace(*options_.wear);
  }
  std::string_view name() const override { return options_.v2g ? "optimal-v2g" : "optimal"; }
  void decide(const StepView& view, std::span<double> requested_kw) override;

 private:
  void replan(const StepView& view);

  OptimalStrategyOptions options_;
  struct Planned {
    int first_step = 0;
    std::vector<double> kw;
  };
  std::unordered_map<int, Planned> plans_;
  std::optional<WearCurves> wear_curves_;
  size_t planned_with_known_ = 0;
};


// Prices for steps [from, to): the known ones, and beyond them the persistence forecast.
std::vector<double> forecast_prices(std::span<const double> known, int from, int to, int steps_per_day);

// The perfect-foresight optimum of a whole simulation: every arrival, actual departure and price known in
// advance. Its cost is the bound no online strategy can beat.
// With a cell model (`wear`) the battery wear is in it as in the rolling horizon, instead of the flat rate.
PlanningProblem perfect_foresight_problem(const struct SimulationInput& input, bool v2g, double wear_eur_per_kwh,
                                          const std::optional<WearParams>& wear = std::nullopt);

}  // namespace voltpool
