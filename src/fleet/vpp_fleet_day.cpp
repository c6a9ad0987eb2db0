#include "fleet/vpp_fleet_day.hpp"

#include <algorithm>

namespace voltpool {

namespace {
struct SplitMix64 {
  uint64_t state;
  uint64_t next() {
    state += 0x9E3779B97F4A7C15ULL;
    uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
};
}  // namespace

std::vector<BenchEv> generate_fleet_day(int64_t n, uint64_t seed) {
  static constexpr int kCapacities[] = {40, 60, 75, 100};
  static constexpr double kPowers[] = {7.4, 7.4, 7.4, 7.4, 11, 11, 11, 11, 11, 22};
  static constexpr int kTargets[] = {80, 90, 100};
  SplitMix64 rng{seed};
  std::vector<BenchEv> evs(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    uint64_t d[8];
    for (auto& x : d) x = rng.next();
    BenchEv& ev = evs[static_cast<size_t>(i)];
    ev.id = i;
    ev.overnight = d[0] % 100 < 75;
    if (ev.overnight) {
      ev.arrival_step = static_cast<int>(16 + d[1] % 13 + d[2] % 13);
      ev.departure_step = static_cast<int>(68 + d[3] % 17);
    } else {
      ev.arrival_step = static_cast<int>(2 + d[1] % 15);
      ev.departure_step = ev.arrival_step + static_cast<int>(8 + d[3] % 17);
    }
    int cap = kCapacities[d[4] % 4];
    ev.capacity_kwh = cap;
    ev.p_max_kw = kPowers[d[5] % 10];
    int soc_arr = static_cast<int>(10 + d[6] % 51);
    int soc_tgt = kTargets[d[7] % 3];
    ev.e_arrival_kwh = static_cast<double>(cap * soc_arr) / 100.0;
    ev.e_target_kwh = static_cast<double>(cap * soc_tgt) / 100.0;
    ev.e_min_kwh = std::min(ev.e_arrival_kwh, static_cast<double>(cap * 20) / 100.0);
    ev.p_dis_max_kw = ev.p_max_kw;
  }
  return evs;
}

std::vector<double> fleet_day_prices_eur_per_kwh() {
  static constexpr int kHourly[24] = {45, 30, 40, 70, 110, 150, 190, 175, 140, 115, 100, 90,
                                      80, 72, 66, 64, 66, 78, 105, 140, 155, 130, 100, 70};
  std::vector<double> out;
  out.reserve(kFleetDaySteps);
  for (int h : kHourly) {
    for (int q = 0; q < 4; ++q) out.push_back(h / 1000.0);
  }
  return out;
}

std::vector<PlugSession> to_plug_sessions(const std::vector<BenchEv>& evs, UtcTime grid_start) {
  std::vector<PlugSession> out;
  out.reserve(evs.size());
  const Seconds step{15 * 60};
  for (const auto& ev : evs) {
    PlugSession s;
    s.id = std::to_string(ev.id);
    s.vehicle_id = s.id;
    s.arrival = grid_start + step * ev.arrival_step;
    s.departure = grid_start + step * ev.departure_step;
    s.capacity_kwh = ev.capacity_kwh;
    s.arrival_energy_kwh = ev.e_arrival_kwh;
    s.needs.est_departure = s.departure;
    s.needs.target_energy_kwh = ev.e_target_kwh;
    s.needs.min_energy_kwh = ev.e_min_kwh;
    s.needs.v2g_consent = ev.p_dis_max_kw > 0;
    s.charge_max_kw = ev.p_max_kw;
    s.discharge_max_kw = ev.p_dis_max_kw;
    s.charge_efficiency = 1;
    s.discharge_efficiency = 1;
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace voltpool
