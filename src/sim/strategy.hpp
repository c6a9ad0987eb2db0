// The seam between the fleet simulator and whatever decides the cars' power: uncontrolled charging, a
// price-greedy heuristic, the optimal planner, V2G, a real-time dispatcher. A strategy sees what a real VPP
// would know at that step: the plugged-in cars, their energy, their owners' stated needs (never the actual
// departure) and the prices published so far; it answers with a requested grid power per car.
#pragma once

#include <span>
#include <string_view>

#include "battery/battery_model.hpp"
#include "core/time.hpp"

namespace voltpool {

struct SiteLimits {
  double import_kw = 1e300;
  double export_kw = 1e300;
};

// A plugged-in car as a planner knows it. Steps are grid indices; fractions say which share of a step the car
// is (expected to be) plugged in: a car arriving at 08:10 on a 15-minute grid is present 1/3 of step 08:00.
struct PlannerVehicle {
  int session = -1;
  int arrival_step = 0;
  int est_departure_step = 0;  // exclusive: the last expected step is est_departure_step - 1
  double first_fraction = 1;   // share of arrival_step
  double last_fraction = 1;    // share of est_departure_step - 1 (equal to first_fraction for a one-step stay)
  BatteryLimits limits;        // e_max_kwh is the owner's target (and ceiling)
  double capacity_kwh = 0;
  bool v2g = false;

  // Expected presence share of step t, from the owner's stated departure.
  double expected_fraction(int t) const {
    if (t < arrival_step || t >= est_departure_step) return 0;
    if (t == arrival_step) return first_fraction;
    if (t == est_departure_step - 1) return last_fraction;
    return 1;
  }
};

struct StepView {
  int step = 0;
  const TimeGrid* grid = nullptr;
  std::span<const int> plugged;   // sessions plugged in during this step, ascending
  std::span<const int> arrived;   // sessions whose first step this is
  std::span<const int> departed;  // sessions that left before this step
  std::span<const PlannerVehicle> vehicles;  // by session index; meaningful once a session has arrived
  std::span<const double> energy_kwh;        // by session index, at the start of this step
  std::span<const double> known_price_eur_per_kwh;  // steps [0, size()): the prices published so far
  std::span<const double> known_export_price_eur_per_kwh;
  SiteLimits site;
};

class Strategy {
 public:
  virtual ~Strategy() = default;
  virtual std::string_view name() const = 0;
  // Writes, for each plugged[i], the requested grid power in kW (+ charges) into requested_kw[i]. The
  // simulator clamps it to the car's limits and, if needed, to the site's.
  virtual void decide(const StepView& view, std::span<double> requested_kw) = 0;
};

}  // namespace voltpool
