#include "flex/envelope.hpp"

#include <algorithm>
#include <thread>

namespace voltpool {

double charge_reach_kwh(const PlanningProblem& p, size_t i) {
  const PlanVehicles& v = p.vehicles;
  const int w = v.window(i);
  const double presence = w == 1 ? v.first_fraction[i] : v.first_fraction[i] + (w - 2) + v.last_fraction[i];
  return v.charge_max_kw[i] * p.dt_h * v.eta_charge[i] * presence;
}

double departure_floor_kwh(const PlanningProblem& p, size_t i) {
  const PlanVehicles& v = p.vehicles;
  const double reach = charge_reach_kwh(p, i);
  const double floor = v.e_min_kwh[i] - v.e0_kwh[i], ceiling = v.e_max_kwh[i] - v.e0_kwh[i];
  return std::max(floor, std::min(v.target_kwh[i] - v.e0_kwh[i], std::min(reach, ceiling)));
}

VehicleFlex vehicle_flex(const PlanningProblem& p, size_t i) {
  VehicleFlex f;
  vehicle_flex(p, i, f);
  return f;
}

void vehicle_flex(const PlanningProblem& p, size_t i, VehicleFlex& f) {
  const PlanVehicles& v = p.vehicles;
  const int w = v.window(i);
  const size_t n = static_cast<size_t>(w);
  f.power_lo_kw.resize(n);
  f.power_hi_kw.resize(n);
  f.energy_lo_kwh.resize(n);
  f.energy_hi_kwh.resize(n);
  // Stored energy relative to arrival. A step changes it by [down * s, up * s], s the car's presence share of
  // the step; presence(k) is the shares' sum over window steps 0..k.
  const double dt = p.dt_h;
  const double down = -v.discharge_max_kw[i] * dt / v.eta_discharge[i], up = v.charge_max_kw[i] * dt * v.eta_charge[i];
  const double first_share = v.first_fraction[i], last_share = v.last_fraction[i];
  auto share = [&](int k) { return k == 0 ? first_share : (k == w - 1 ? last_share : 1.0); };
  auto presence = [&](int k) {
    return k == 0 ? first_share : (k == w - 1 ? first_share + (w - 2) + last_share : first_share + k);
  };
  const double floor = v.e_min_kwh[i] - v.e0_kwh[i], ceiling = v.e_max_kwh[i] - v.e0_kwh[i];  // floor <= 0 <= ceiling
  const double total = presence(w - 1);
  const double final_lo = departure_floor_kwh(p, i);
  // Forward reachable [F_lo, F_hi] and backward completable [G_lo, ceiling] at step k's end, in closed form (a
  // running sum of one-signed changes clamped at a fixed bound is the clamped running sum); the energy lies in
  // their intersection.
  auto forward_lo = [&](int k) { return std::max(down * presence(k), k == w - 1 ? final_lo : floor); };
  auto forward_hi = [&](int k) { return std::min(up * presence(k), ceiling); };
  auto backward_lo = [&](int k) { return std::max(final_lo - up * (total - presence(k)), floor); };
  const double charge_kw_per_kwh = 1.0 / (v.eta_charge[i] * dt), discharge_kw_per_kwh = v.eta_discharge[i] / dt;
  double before_lo = 0, before_hi = 0;  // F at the previous step's end
  for (int k = 0; k < w; ++k) {
    const double f_lo = forward_lo(k), f_hi = forward_hi(k), g_lo = backward_lo(k);
    f.energy_lo_kwh[k] = std::max(f_lo, g_lo);
    f.energy_hi_kwh[k] = f_hi;
    // Back from stored energy to grid-side power.
    const double dlo = std::max(down * share(k), g_lo - before_hi), dhi = std::min(up * share(k), ceiling - before_lo);
    f.power_lo_kw[k] = dlo * (dlo >= 0 ? charge_kw_per_kwh : discharge_kw_per_kwh);
    f.power_hi_kw[k] = dhi * (dhi >= 0 ? charge_kw_per_kwh : discharge_kw_per_kwh);
    before_lo = f_lo, before_hi = f_hi;
  }
}

namespace {
// What cars hold after their departure, per step: a car's final energies go in at its departure step and are
// summed forward once for the whole fleet (finish), instead of added to every later step car by car.
struct DepartedEnergy {
  std::vector<double> lo_kwh, hi_kwh;  // steps + 1: changes at each step
  explicit DepartedEnergy(size_t steps) : lo_kwh(steps + 1, 0.0), hi_kwh(steps + 1, 0.0) {}
  void finish(FleetEnvelope& env) const {
    double lo = 0, hi = 0;
    for (size_t t = 0; t < env.energy_lo_kwh.size(); ++t) {
      lo += lo_kwh[t];
      hi += hi_kwh[t];
      env.energy_lo_kwh[t] += lo;
      env.energy_hi_kwh[t] += hi;
    }
  }
};

// Adds sign * (vehicle i's flexibility) into env; f holds it. After its departure a car keeps what it took in:
// added to every later step, or to `departed` when given.
void accumulate(const PlanningProblem& p, size_t i, const VehicleFlex& f, double sign, FleetEnvelope& env,
                DepartedEnergy* departed = nullptr) {
  const size_t steps = static_cast<size_t>(p.steps);
  const size_t first = static_cast<size_t>(p.vehicles.first_step[i]), w = f.power_hi_kw.size();
  double* up = env.up_kw.data() + first;
  double* down = env.down_kw.data() + first;
  double* lo = env.energy_lo_kwh.data() + first;
  double* hi = env.energy_hi_kwh.data() + first;
  for (size_t k = 0; k < w; ++k) {
    up[k] += sign * f.power_hi_kw[k];
    down[k] += sign * f.power_lo_kw[k];
    lo[k] += sign * f.energy_lo_kwh[k];
    hi[k] += sign * f.energy_hi_kwh[k];
  }
  if (departed != nullptr) {
    departed->lo_kwh[first + w] += sign * f.energy_lo_kwh[w - 1];
    departed->hi_kwh[first + w] += sign * f.energy_hi_kwh[w - 1];
    return;
  }
  for (size_t t = first + w; t < steps; ++t) {
    env.energy_lo_kwh[t] += sign * f.energy_lo_kwh[w - 1];
    env.energy_hi_kwh[t] += sign * f.energy_hi_kwh[w - 1];
  }
}

void zero(FleetEnvelope& env, size_t steps) {
  env.up_kw.assign(steps, 0.0);
  env.down_kw.assign(steps, 0.0);
  env.energy_lo_kwh.assign(steps, 0.0);
  env.energy_hi_kwh.assign(steps, 0.0);
}
}  // namespace

std::vector<FleetEnvelope> group_envelopes(const PlanningProblem& p) {
  LimitGroups groups(p);
  std::vector<FleetEnvelope> out(groups.size());
  for (auto& env : out) zero(env, static_cast<size_t>(p.steps));
  std::vector<DepartedEnergy> departed(groups.size(), DepartedEnergy(static_cast<size_t>(p.steps)));
  VehicleFlex f;
  for (size_t i = 0; i < p.vehicles.size(); ++i) {
    vehicle_flex(p, i, f);
    groups.for_chain(i, [&](int g) {
      accumulate(p, i, f, 1.0, out[static_cast<size_t>(g)], &departed[static_cast<size_t>(g)]);
    });
  }
  for (size_t g = 0; g < out.size(); ++g) departed[g].finish(out[g]);
  return out;
}

EnvelopeTracker::EnvelopeTracker(const PlanningProblem& problem) : p_(problem) {
  zero(env_, static_cast<size_t>(p_.steps));
}

void EnvelopeTracker::apply(size_t vehicle, double sign) {
  vehicle_flex(p_, vehicle, scratch_);
  accumulate(p_, vehicle, scratch_, sign, env_);
}

FleetEnvelope fleet_envelope(const PlanningProblem& p) {
  const size_t steps = static_cast<size_t>(p.steps), n = p.vehicles.size();
  const unsigned workers = n < 4096 ? 1u : std::max(1u, std::min(4u, std::thread::hardware_concurrency()));
  std::vector<FleetEnvelope> partial(workers);
  auto work = [&](size_t begin, size_t end, FleetEnvelope& out) {
    zero(out, steps);
    DepartedEnergy departed(steps);
    VehicleFlex f;
    for (size_t i = begin; i < end; ++i) {
      vehicle_flex(p, i, f);
      accumulate(p, i, f, 1.0, out, &departed);
    }
    departed.finish(out);
  };
  std::vector<std::thread> threads;
  for (unsigned w = 1; w < workers; ++w) threads.emplace_back(work, n * w / workers, n * (w + 1) / workers, std::ref(partial[w]));
  work(0, n / workers, partial[0]);
  for (auto& t : threads) t.join();
  FleetEnvelope env = std::move(partial[0]);
  for (unsigned w = 1; w < workers; ++w) {
    for (size_t t = 0; t < steps; ++t) {
      env.up_kw[t] += partial[w].up_kw[t];
      env.down_kw[t] += partial[w].down_kw[t];
      env.energy_lo_kwh[t] += partial[w].energy_lo_kwh[t];
      env.energy_hi_kwh[t] += partial[w].energy_hi_kwh[t];
    }
  }
  return env;
}

}  // namespace voltpool
