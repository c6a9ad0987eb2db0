#include "flex/envelope.hpp"

#include <algorithm>
#include <thread>

namespace voltpool {

VehicleFlex vehicle_flex(const PlanningProblem& p, size_t i) {
  VehicleFlex f;
  vehicle_flex(p, i, f);
  return f;
}

void vehicle_flex(const PlanningProblem& p, size_t i, VehicleFlex& f) {
  const PlanVehicles& v = p.vehicles;
  const int w = v.window(i);
  const size_t n = static_cast<size_t>(w);
  const double dt = p.dt_h;
  f.power_lo_kw.resize(n);
  f.power_hi_kw.resize(n);
  f.energy_lo_kwh.resize(n);
  f.energy_hi_kwh.resize(n);
  f.scratch.resize(6 * n);
  // Stored-energy change per step: [-D f dt / eta_d, C f dt eta_c].
  double* lo = f.scratch.data();
  double* hi = lo + n;
  double* flo = hi + n;
  double* fhi = flo + n;
  double* glo = fhi + n;
  double* ghi = glo + n;
  for (int k = 0; k < w; ++k) {
    double frac = v.fraction(i, k);
    lo[k] = -v.discharge_max_kw[i] * frac * dt / v.eta_discharge[i];
    hi[k] = v.charge_max_kw[i] * frac * dt * v.eta_charge[i];
  }
  const double floor = v.e_min_kwh[i] - v.e0_kwh[i], ceiling = v.e_max_kwh[i] - v.e0_kwh[i];
  double reach = 0;
  for (int k = 0; k < w; ++k) reach = std::min(reach + hi[k], ceiling);
  const double final_lo = std::max(floor, std::min(v.target_kwh[i] - v.e0_kwh[i], reach));
  // Forward reachable F_k and backward completable G_k; the energy at step k's end lies in F_k ∩ G_k.
  double a = 0, b = 0;
  for (int k = 0; k < w; ++k) {
    a = std::max(a + lo[k], k == w - 1 ? final_lo : floor);
    b = std::min(b + hi[k], ceiling);
    flo[k] = a, fhi[k] = b;
  }
  a = final_lo, b = ceiling;
  for (int k = w - 1; k >= 0; --k) {
    glo[k] = a, ghi[k] = b;
    a = std::max(a - hi[k], floor);
    b = std::min(b - lo[k], ceiling);
  }
  for (int k = 0; k < w; ++k) {
    f.energy_lo_kwh[k] = std::max(flo[k], glo[k]);
    f.energy_hi_kwh[k] = std::min(fhi[k], ghi[k]);
    double prev_lo = k == 0 ? 0.0 : flo[k - 1], prev_hi = k == 0 ? 0.0 : fhi[k - 1];
    double dlo = std::max(lo[k], glo[k] - prev_hi), dhi = std::min(hi[k], ghi[k] - prev_lo);
    // Back from stored energy to grid-side power.
    f.power_hi_kw[k] = dhi >= 0 ? dhi / (v.eta_charge[i] * dt) : dhi * v.eta_discharge[i] / dt;
    f.power_lo_kw[k] = dlo >= 0 ? dlo / (v.eta_charge[i] * dt) : dlo * v.eta_discharge[i] / dt;
  }
}

namespace {
// Adds sign * (vehicle i's flexibility) into env; f holds it.
void accumulate(const PlanningProblem& p, size_t i, const VehicleFlex& f, double sign, FleetEnvelope& env) {
  const size_t steps = static_cast<size_t>(p.steps);
  const size_t first = static_cast<size_t>(p.vehicles.first_step[i]), w = f.power_hi_kw.size();
  for (size_t k = 0; k < w; ++k) {
    env.up_kw[first + k] += sign * f.power_hi_kw[k];
    env.down_kw[first + k] += sign * f.power_lo_kw[k];
    env.energy_lo_kwh[first + k] += sign * f.energy_lo_kwh[k];
    env.energy_hi_kwh[first + k] += sign * f.energy_hi_kwh[k];
  }
  // After its departure a car keeps what it took in.
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
  VehicleFlex f;
  for (size_t i = 0; i < p.vehicles.size(); ++i) {
    vehicle_flex(p, i, f);
    groups.for_chain(i, [&](int g) { accumulate(p, i, f, 1.0, out[static_cast<size_t>(g)]); });
  }
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
    VehicleFlex f;
    for (size_t i = begin; i < end; ++i) {
      vehicle_flex(p, i, f);
      accumulate(p, i, f, 1.0, out);
    }
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
