#include "flex/envelope.hpp"

#include <algorithm>
#include <thread>

namespace voltpool {

VehicleFlex vehicle_flex(const PlanningProblem& p, size_t i) {
  const PlanVehicles& v = p.vehicles;
  const int w = v.window(i);
  const double dt = p.dt_h;
  VehicleFlex f;
  f.power_lo_kw.resize(static_cast<size_t>(w));
  f.power_hi_kw.resize(static_cast<size_t>(w));
  f.energy_lo_kwh.resize(static_cast<size_t>(w));
  f.energy_hi_kwh.resize(static_cast<size_t>(w));
  // Stored-energy change per step: [-D f dt / eta_d, C f dt eta_c].
  std::vector<double> lo(static_cast<size_t>(w)), hi(static_cast<size_t>(w));
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
  std::vector<double> flo(static_cast<size_t>(w)), fhi(static_cast<size_t>(w)), glo(static_cast<size_t>(w)),
      ghi(static_cast<size_t>(w));
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
  return f;
}

FleetEnvelope fleet_envelope(const PlanningProblem& p) {
  const size_t steps = static_cast<size_t>(p.steps), n = p.vehicles.size();
  const unsigned workers = n < 4096 ? 1u : std::max(1u, std::min(4u, std::thread::hardware_concurrency()));
  std::vector<FleetEnvelope> partial(workers);
  auto work = [&](size_t begin, size_t end, FleetEnvelope& out) {
    out.up_kw.assign(steps, 0.0);
    out.down_kw.assign(steps, 0.0);
    out.energy_lo_kwh.assign(steps, 0.0);
    out.energy_hi_kwh.assign(steps, 0.0);
    for (size_t i = begin; i < end; ++i) {
      VehicleFlex f = vehicle_flex(p, i);
      const size_t first = static_cast<size_t>(p.vehicles.first_step[i]), w = f.power_hi_kw.size();
      for (size_t k = 0; k < w; ++k) {
        out.up_kw[first + k] += f.power_hi_kw[k];
        out.down_kw[first + k] += f.power_lo_kw[k];
        out.energy_lo_kwh[first + k] += f.energy_lo_kwh[k];
        out.energy_hi_kwh[first + k] += f.energy_hi_kwh[k];
      }
      // After its departure a car keeps what it took in.
      for (size_t t = first + w; t < steps; ++t) {
        out.energy_lo_kwh[t] += f.energy_lo_kwh[w - 1];
        out.energy_hi_kwh[t] += f.energy_hi_kwh[w - 1];
      }
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
