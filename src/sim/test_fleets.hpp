// Random fleets for the simulator's property tests.
#pragma once

#include <random>

#include "sim/simulator.hpp"

namespace voltpool::testing {

// `cars` sessions on a `steps`-step quarter-hour grid with random arrival/departure (not on step boundaries),
// needs, limits and efficiencies; random prices known from the start; estimates equal to actual departures.
inline SimulationInput random_fleet(std::mt19937_64& rng, int cars, int steps) {
  std::uniform_real_distribution<double> u(0, 1);
  SimulationInput in;
  in.grid = TimeGrid{UtcTime{std::chrono::hours{24 * 19000}}, Seconds{900}, steps};
  for (int t = 0; t < steps; ++t) in.price_eur_per_kwh.push_back(-0.05 + 0.4 * u(rng));
  for (int c = 0; c < cars; ++c) {
    PlugSession s;
    s.id = std::to_string(c);
    s.vehicle_id = s.id;
    int64_t span_s = int64_t{steps} * 900;
    int64_t a = static_cast<int64_t>(u(rng) * span_s * 0.7);
    int64_t d = a + 60 + static_cast<int64_t>(u(rng) * (span_s - a - 60));
    s.arrival = in.grid.start + Seconds{a};
    s.departure = in.grid.start + Seconds{d};
    s.needs.est_departure = s.departure;
    s.capacity_kwh = 30 + 70 * u(rng);
    s.arrival_energy_kwh = s.capacity_kwh * (0.1 + 0.5 * u(rng));
    s.needs.target_energy_kwh = s.capacity_kwh * (0.7 + 0.3 * u(rng));
    s.needs.min_energy_kwh = std::min(s.arrival_energy_kwh, 0.2 * s.capacity_kwh);
    s.charge_max_kw = 3 + 19 * u(rng);
    s.discharge_max_kw = u(rng) < 0.5 ? s.charge_max_kw : 0;
    s.needs.v2g_consent = s.discharge_max_kw > 0;
    s.charge_efficiency = 0.85 + 0.15 * u(rng);
    s.discharge_efficiency = 0.85 + 0.15 * u(rng);
    in.sessions.push_back(s);
  }
  return in;
}

}  // namespace voltpool::testing
