#include "flex/close_residue.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <vector>

namespace voltpool {

namespace {

// Below this a step's residue is left alone (rounding of the fleet's sum itself).
constexpr double kNegligibleKw = 1e-10;

// One car's stored energy as a function of its grid power over a step, and back.
struct Battery {
  double eta_c, eta_d, dt;
  double stored(double kw) const { return kw >= 0 ? kw * eta_c * dt : kw / eta_d * dt; }
  double power(double kwh) const { return kwh >= 0 ? kwh / (eta_c * dt) : kwh * eta_d / dt; }
};

// A move of one car's power at a step towards the residue, the energy given back at a later window step or,
// when give_back is its window's size, kept to its departure.
struct Move {
  size_t car;
  double room_kw;
  size_t give_back;
};

class Residues {
 public:
  // The running fleet power `fleet_kw` is updated as cars move.
  Residues(const PlanningProblem& p, Plan& plan, std::span<const double> profile_kw, std::vector<double>& fleet_kw)
      : p_(p), v_(p.vehicles), plan_(plan), profile_kw_(profile_kw), fleet_kw_(fleet_kw) {
    energy_.resize(plan.kw.size());
    keep_.resize(v_.size());
    present_.resize(static_cast<size_t>(p.steps));
    for (size_t i = 0; i < v_.size(); ++i) {
      double e = v_.e0_kwh[i];
      for (size_t k = 0; k < static_cast<size_t>(v_.window(i)); ++k) {
        e += battery(i).stored(plan.kw[plan.offset[i] + k]);
        energy_[plan.offset[i] + k] = e;
        present_[static_cast<size_t>(v_.first_step[i]) + k].push_back(i);
      }
      const double goal = std::min(v_.target_kwh[i], v_.e_max_kwh[i]);
      keep_[i] = std::max(v_.e_min_kwh[i], std::min(goal, e) - kProfileRoundingKwh);
    }
  }

  // Closes what it can of the residue at step t (kW the fleet should add there, negative to take off): the
  // cars with the most room first, so few schedules change; cars that keep the energy before cars that hand
  // it on to a later step.
  void close(size_t t) {
    const double residue_kw = miss_kw(t);
    if (std::abs(residue_kw) <= kNegligibleKw) return;
    const double sign = residue_kw > 0 ? 1.0 : -1.0;
    moves_.clear();
    for (size_t i : present_[t]) {
      if (auto m = move_of(i, t, sign)) moves_.push_back(*m);
    }
    std::sort(moves_.begin(), moves_.end(), [&](const Move& a, const Move& b) {
      const bool a_keeps = a.give_back == static_cast<size_t>(v_.window(a.car));
      const bool b_keeps = b.give_back == static_cast<size_t>(v_.window(b.car));
      return a_keeps != b_keeps ? a_keeps : a.room_kw > b.room_kw;
    });
    double left = std::abs(residue_kw);
    for (const Move& m : moves_) {
      if (left <= 0) break;
      const double kw = std::min(left, m.room_kw);
      apply(m, t, sign * kw);
      left -= kw;
    }
  }

 private:
  Battery battery(size_t i) const { return Battery{v_.eta_charge[i], v_.eta_discharge[i], p_.dt_h}; }
  double lowest_kw(size_t i, size_t k) const { return -v_.discharge_max_kw[i] * v_.fraction(i, static_cast<int>(k)); }
  double highest_kw(size_t i, size_t k) const { return v_.charge_max_kw[i] * v_.fraction(i, static_cast<int>(k)); }

  // How far car i's power at step t can move `sign`-wards: its power box, its energy window until a later step
  // can give the energy back (best one where the fleet is off the other way, so handing on closes that step
  // too), or else until its departure, where it must still leave with keep_.
  std::optional<Move> move_of(size_t i, size_t t, double sign) const {
    const Battery b = battery(i);
    const size_t w = static_cast<size_t>(v_.window(i)), k = t - static_cast<size_t>(v_.first_step[i]);
    const double* kw = plan_.kw.data() + plan_.offset[i];
    const double* e = energy_.data() + plan_.offset[i];
    const double box = sign > 0 ? highest_kw(i, k) - kw[k] : kw[k] - lowest_kw(i, k);
    if (box <= 0) return std::nullopt;
    double window_room = kNoLimit, energy_room = 0;
    size_t give_back = w, fallback = w;
    double fallback_room = 0;
    for (size_t j = k; j < w; ++j) {
      window_room = std::min(window_room, sign > 0 ? v_.e_max_kwh[i] - e[j] : e[j] - v_.e_min_kwh[i]);
      if (window_room <= 0) break;
      if (j + 1 == w) {
        if (fallback == w) energy_room = sign > 0 ? window_room : std::min(window_room, e[j] - keep_[i]);
        break;
      }
      const double back = sign > 0 ? b.stored(kw[j + 1]) - b.stored(lowest_kw(i, j + 1))
                                   : b.stored(highest_kw(i, j + 1)) - b.stored(kw[j + 1]);
      if (back <= 0) continue;
      const size_t later = static_cast<size_t>(v_.first_step[i]) + j + 1;
      if (miss_kw(later) * sign < -kNegligibleKw) {
        give_back = j + 1;
        energy_room = std::min(window_room, back);
        break;
      }
      if (fallback == w) fallback = j + 1, fallback_room = std::min(window_room, back);
    }
    if (give_back == w && energy_room <= 0 && fallback < w) give_back = fallback, energy_room = fallback_room;
    if (energy_room <= 0) return std::nullopt;
    const double room = std::min(box, std::abs(b.power(b.stored(kw[k]) + sign * energy_room) - kw[k]));
    if (room <= 0) return std::nullopt;
    return Move{i, room, give_back};
  }

  double miss_kw(size_t t) const { return profile_kw_[t] - fleet_kw_[t]; }

  void apply(const Move& m, size_t t, double by_kw) {
    const Battery b = battery(m.car);
    const size_t k = t - static_cast<size_t>(v_.first_step[m.car]);
    double* kw = plan_.kw.data() + plan_.offset[m.car];
    double* e = energy_.data() + plan_.offset[m.car];
    const double was = kw[k];
    kw[k] = was + by_kw;
    const double added = b.stored(kw[k]) - b.stored(was);
    fleet_kw_[t] += kw[k] - was;
    for (size_t j = k; j < m.give_back; ++j) e[j] += added;
    if (m.give_back == static_cast<size_t>(v_.window(m.car))) return;
    // The later step stores that much less, so the energy from then on is what it was.
    const double back_was = kw[m.give_back];
    kw[m.give_back] = b.power(b.stored(back_was) - added);
    fleet_kw_[static_cast<size_t>(v_.first_step[m.car]) + m.give_back] += kw[m.give_back] - back_was;
  }

  const PlanningProblem& p_;
  const PlanVehicles& v_;
  Plan& plan_;
  std::span<const double> profile_kw_;
  std::vector<double>& fleet_kw_;
  std::vector<double> energy_;               // stored energy at each window step's end, laid out like the plan
  std::vector<double> keep_;                 // per car: what it must still leave with
  std::vector<std::vector<size_t>> present_;  // per step: the cars in their windows
  std::vector<Move> moves_;
};

double worst_miss(std::span<const double> profile_kw, const std::vector<double>& fleet_kw) {
  double worst = 0;
  for (size_t t = 0; t < fleet_kw.size(); ++t) worst = std::max(worst, std::abs(profile_kw[t] - fleet_kw[t]));
  return worst;
}

}  // namespace

double close_residue(const PlanningProblem& p, std::span<const double> profile_kw, Plan& plan) {
  std::vector<double> fleet = fleet_power_kw(p, plan);
  const double missed = worst_miss(profile_kw, fleet);
  const auto before = plan.kw;  // kept when handing residues on only piles them up somewhere
  Residues residues(p, plan, profile_kw, fleet);
  for (size_t t = 0; t < static_cast<size_t>(p.steps); ++t) residues.close(t);
  const double left = worst_miss(profile_kw, fleet_power_kw(p, plan));  // recomputed: the running sums round
  if (left <= missed) return left;
  plan.kw = before;
  return missed;
}

}  // namespace voltpool
