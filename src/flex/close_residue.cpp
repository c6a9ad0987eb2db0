#include "flex/close_residue.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace voltpool {

namespace {

// Below this a step's residue is left alone (rounding of the fleet's sum itself).
constexpr double kNegligibleKw = 1e-10;
// What a car may leave with below what it would otherwise leave with (at most its target): 1 mWh, the rounding
// of a profile summed from 100,000 cars' powers (the energy it asks for is known to about 1e-12 of the fleet's).
constexpr double kRoundingKwh = 1e-6;

// One car's stored energy as a function of its grid power over a step, and back.
struct Battery {
  double eta_c, eta_d, dt;
  double stored(double kw) const { return kw >= 0 ? kw * eta_c * dt : kw / eta_d * dt; }
  double power(double kwh) const { return kwh >= 0 ? kwh / (eta_c * dt) : kwh * eta_d / dt; }
};

}  // namespace

double close_residue(const PlanningProblem& p, std::span<const double> profile_kw, Plan& plan) {
  const PlanVehicles& v = p.vehicles;
  const size_t n = v.size(), steps = static_cast<size_t>(p.steps);
  // Stored energy at the end of every window step, laid out like the plan.
  std::vector<double> energy(plan.kw.size());
  std::vector<double> keep(n);  // what each car must still leave with
  std::vector<std::vector<size_t>> present(steps);
  for (size_t i = 0; i < n; ++i) {
    const Battery b{v.eta_charge[i], v.eta_discharge[i], p.dt_h};
    double e = v.e0_kwh[i];
    for (size_t k = 0; k < static_cast<size_t>(v.window(i)); ++k) {
      e += b.stored(plan.kw[plan.offset[i] + k]);
      energy[plan.offset[i] + k] = e;
      present[static_cast<size_t>(v.first_step[i]) + k].push_back(i);
    }
    keep[i] = std::max(v.e_min_kwh[i], std::min(std::min(v.target_kwh[i], v.e_max_kwh[i]), e) - kRoundingKwh);
  }
  std::vector<double> fleet = fleet_power_kw(p, plan);
  auto worst_miss = [&] {
    double worst = 0;
    for (size_t t = 0; t < steps; ++t) worst = std::max(worst, std::abs(profile_kw[t] - fleet[t]));
    return worst;
  };
  const double missed = worst_miss();
  const std::vector<double> before = plan.kw;  // kept when handing residues on only piles them up somewhere

  struct Move {
    size_t car;
    double room_kw;   // how far its power at this step may move towards the residue
    size_t give_back; // the window step that gives the energy back (its window's size: none, it leaves with it)
  };
  std::vector<Move> moves;
  for (size_t t = 0; t < steps; ++t) {
    const double residue = profile_kw[t] - fleet[t];
    if (std::abs(residue) <= kNegligibleKw) continue;
    const double sign = residue > 0 ? 1.0 : -1.0;
    moves.clear();
    double keep_room = 0, carry_room = 0;
    for (size_t i : present[t]) {
      const Battery b{v.eta_charge[i], v.eta_discharge[i], p.dt_h};
      const size_t w = static_cast<size_t>(v.window(i)), k = t - static_cast<size_t>(v.first_step[i]);
      const double* kw = plan.kw.data() + plan.offset[i];
      const double* e = energy.data() + plan.offset[i];
      auto lo = [&](size_t j) { return -v.discharge_max_kw[i] * v.fraction(i, static_cast<int>(j)); };
      auto hi = [&](size_t j) { return v.charge_max_kw[i] * v.fraction(i, static_cast<int>(j)); };
      const double box = sign > 0 ? hi(k) - kw[k] : kw[k] - lo(k);
      if (box <= 0) continue;
      // The energy stays shifted from step k until a later step gives it back (the first that can), or to the
      // end: within the window all the while, and at the end not below what the car must leave with.
      double window_room = kNoLimit;
      size_t give_back = w;
      double energy_room = 0;
      size_t fallback = w;  // the first later step that can give the energy back at all
      double fallback_room = 0;
      for (size_t j = k; j < w; ++j) {
        window_room = std::min(window_room, sign > 0 ? v.e_max_kwh[i] - e[j] : e[j] - v.e_min_kwh[i]);
        if (window_room <= 0) break;
        if (j + 1 < w) {
          const double back = sign > 0 ? b.stored(kw[j + 1]) - b.stored(lo(j + 1)) : b.stored(hi(j + 1)) - b.stored(kw[j + 1]);
          if (back <= 0) continue;
          // Best where the fleet is off the other way there: handing on closes that step too.
          const size_t later = static_cast<size_t>(v.first_step[i]) + j + 1;
          if ((profile_kw[later] - fleet[later]) * sign < -kNegligibleKw) {
            give_back = j + 1;
            energy_room = std::min(window_room, back);
            break;
          }
          if (fallback == w) {
            fallback = j + 1;
            fallback_room = std::min(window_room, back);
          }
        } else if (fallback == w) {
          energy_room = sign > 0 ? window_room : std::min(window_room, e[j] - keep[i]);
        } else {
          give_back = fallback;
          energy_room = fallback_room;
        }
      }
      if (give_back == w && energy_room <= 0 && fallback < w) {
        give_back = fallback;
        energy_room = fallback_room;
      }
      if (energy_room <= 0) continue;
      const double room = std::min(box, std::abs(b.power(b.stored(kw[k]) + sign * energy_room) - kw[k]));
      if (room <= 0) continue;
      moves.push_back(Move{i, room, give_back});
      (give_back == w ? keep_room : carry_room) += room;
    }
    // Moves that hand nothing on go first, the rest spread over the cars that give the energy back later.
    double left = std::abs(residue);
    const double keep_share = keep_room > 0 ? std::min(1.0, left / keep_room) : 0.0;
    left -= keep_share * keep_room;
    const double carry_share = carry_room > 0 ? std::min(1.0, left / carry_room) : 0.0;
    for (const Move& m : moves) {
      const Battery b{v.eta_charge[m.car], v.eta_discharge[m.car], p.dt_h};
      const size_t w = static_cast<size_t>(v.window(m.car)), k = t - static_cast<size_t>(v.first_step[m.car]);
      double* kw = plan.kw.data() + plan.offset[m.car];
      double* e = energy.data() + plan.offset[m.car];
      const double before = kw[k];
      kw[k] = before + sign * m.room_kw * (m.give_back == w ? keep_share : carry_share);
      const double added = b.stored(kw[k]) - b.stored(before);
      fleet[t] += kw[k] - before;
      for (size_t j = k; j < m.give_back; ++j) e[j] += added;
      if (m.give_back == w) continue;
      const double back_before = kw[m.give_back];
      kw[m.give_back] = b.power(b.stored(back_before) - added);
      fleet[static_cast<size_t>(v.first_step[m.car]) + m.give_back] += kw[m.give_back] - back_before;
    }
  }
  const double left = worst_miss();
  if (left <= missed) return left;
  plan.kw = before;
  return missed;
}

}  // namespace voltpool
