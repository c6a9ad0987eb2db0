#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "dispatch/dispatcher.hpp"
#include "dispatch/pjm_score.hpp"

#include <random>
#include "dispatch/regd_signal.hpp"

namespace voltpool {
namespace {

// models.md §3.1 reference vectors: 10-s samples, an hour of 360, response known 5 minutes further.
double s(double t) { return std::sin(2 * M_PI * t / 300) + 0.5 * std::sin(2 * M_PI * t / 97); }

PjmScore score_case(double gain, double lag_s) {
  std::vector<double> signal, response;
  for (int i = 0; i < 360; ++i) signal.push_back(s(i * 10.0));
  for (int i = 0; i < 390; ++i) response.push_back(gain * s(i * 10.0 - lag_s));
  return pjm_score(signal, response);
}

TEST(PjmScore, ReferenceVectors) {
  struct Case {
    double gain, lag, a, d, p, composite, delay;
  };
  for (const Case& c : {Case{1.0, 0, 1.0, 1.0, 1.0, 1.0, 0}, Case{1.0, 20, 1.0, 0.9333, 0.3730, 0.7688, 20},
                        Case{0.9, 20, 1.0, 0.9333, 0.3987, 0.7773, 20}, Case{1.0, 60, 1.0, 0.8000, 0.0, 0.6000, 60}}) {
    PjmScore r = score_case(c.gain, c.lag);
    EXPECT_NEAR(r.accuracy, c.a, 0.01) << c.lag;
    EXPECT_NEAR(r.delay, c.d, 0.01) << c.lag;
    EXPECT_NEAR(r.precision, c.p, 0.01) << c.lag;  // the tolerance the reference asks for
    EXPECT_NEAR(r.composite, c.composite, 0.01) << c.lag;
    EXPECT_DOUBLE_EQ(r.delay_s, c.delay);
  }
}

TEST(RegdSignal, BoundedNeutralAndSeeded) {
  auto a = regd_like_signal(1, 3600), b = regd_like_signal(1, 3600), c = regd_like_signal(2, 3600);
  ASSERT_EQ(a.size(), 1800u);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  for (size_t start = 0; start < a.size(); start += 450) {
    double sum = 0, top = 0;
    for (size_t i = start; i < start + 450; ++i) {
      sum += a[i];
      top = std::max(top, std::abs(a[i]));
    }
    EXPECT_NEAR(sum / 450, 0.0, 1e-12);  // energy-neutral over each 15 minutes
    EXPECT_NEAR(top, 1.0, 1e-12);
  }
  // Fast: it changes direction many times an hour.
  int reversals = 0;
  for (size_t i = 2; i < a.size(); ++i) reversals += (a[i] - a[i - 1]) * (a[i - 1] - a[i - 2]) < 0;
  EXPECT_GT(reversals, 60);
}

DispatchFleet random_fleet(std::mt19937_64& rng, size_t n) {
  std::uniform_real_distribution<double> u(0, 1);
  DispatchFleet f;
  f.resize(n);
  for (size_t i = 0; i < n; ++i) {
    f.charge_max_kw[i] = 7 + 15 * u(rng);
    f.discharge_max_kw[i] = u(rng) < 0.7 ? f.charge_max_kw[i] : 0.0;
    f.ramp_kw_per_s[i] = 2 + 10 * u(rng);
    f.e_min_kwh[i] = 10;
    f.e_max_kwh[i] = 70;
    f.energy_kwh[i] = 15 + 50 * u(rng);
    f.target_kwh[i] = 60;
    f.eta_charge[i] = f.eta_discharge[i] = 0.93;
    f.departure_s[i] = 3600 * (1 + 10 * u(rng));
    f.baseline_kw[i] = (u(rng) - 0.3) * f.charge_max_kw[i];
    if (f.discharge_max_kw[i] == 0) f.baseline_kw[i] = std::abs(f.baseline_kw[i]);
    f.last_setpoint_kw[i] = f.baseline_kw[i];
  }
  return f;
}

// Property: on random fleets and setpoints, the cars' setpoints sum to the fleet setpoint whenever it lies in
// the fleet's range (else the nearest end), and no car leaves its own range or loses its departure reserve.
TEST(Dispatcher, MeetsTheSetpointWithinEveryCarsRange) {
  std::mt19937_64 rng(4);
  std::uniform_real_distribution<double> u(0, 1);
  DispatchConfig cfg;
  for (int trial = 0; trial < 500; ++trial) {
    auto f = random_fleet(rng, 1 + trial % 50);
    double now = 0;
    double base = 0;
    for (double b : f.baseline_kw) base += b;
    double target = base + (u(rng) - 0.5) * 40 * static_cast<double>(f.size());
    std::vector<double> sp(f.size());
    auto out = dispatch_cycle(f, now, target, cfg, sp);
    double expected = std::clamp(target, out.lowest_kw, out.highest_kw);
    ASSERT_NEAR(out.assigned_kw, expected, 1e-9 * std::max(1.0, std::abs(expected))) << trial;
    for (size_t i = 0; i < f.size(); ++i) {
      ASSERT_LE(sp[i], f.charge_max_kw[i] + 1e-9);
      ASSERT_GE(sp[i], -f.discharge_max_kw[i] - 1e-9);
      ASSERT_LE(std::abs(sp[i] - f.last_setpoint_kw[i]), f.ramp_kw_per_s[i] * cfg.cycle_s + 1e-9);
    }
  }
}

// A car that falls silent is held at its last power and the rest of the fleet covers its share in the same
// cycle; so does a car that has left (held at zero).
TEST(Dispatcher, SilentOrDepartedCarIsAbsorbedWithinOneCycle) {
  std::mt19937_64 rng(12);
  auto f = random_fleet(rng, 40);
  for (size_t i = 0; i < f.size(); ++i) f.energy_kwh[i] = 40, f.departure_s[i] = 36000;
  double base = 0;
  for (double b : f.baseline_kw) base += b;
  DispatchConfig cfg;
  std::vector<double> sp(f.size());
  double target = base + 50;
  auto before = dispatch_cycle(f, 0, target, cfg, sp);
  ASSERT_NEAR(before.assigned_kw, target, 1e-9);
  f.available[3] = 0;  // silent: holds its last setpoint
  f.available[7] = 0;  // gone: holds zero
  f.last_setpoint_kw[7] = 0;
  auto after = dispatch_cycle(f, 2, target, cfg, sp);
  EXPECT_NEAR(after.assigned_kw, target, 1e-9);
  EXPECT_EQ(sp[3], f.last_setpoint_kw[3]);
  EXPECT_EQ(sp[7], 0.0);
}

TEST(Dispatcher, DepartureReserveComesFirst) {
  DispatchFleet f;
  f.resize(1);
  f.charge_max_kw[0] = 10;
  f.discharge_max_kw[0] = 10;
  f.ramp_kw_per_s[0] = 100;
  f.e_min_kwh[0] = 0;
  f.e_max_kwh[0] = 80;
  f.energy_kwh[0] = 50;
  f.target_kwh[0] = 60;
  f.eta_charge[0] = f.eta_discharge[0] = 1;
  f.departure_s[0] = 3600 + 15 * 60 + 2;  // after this cycle and the reserve: one hour, exactly the 10 kWh
  std::vector<double> sp(1);
  auto out = dispatch_cycle(f, 0, -10, DispatchConfig{}, sp);  // asked to discharge
  EXPECT_NEAR(sp[0], 0, 1e-6);  // it may not give any energy away
  EXPECT_NEAR(out.lowest_kw, 0, 1e-6);
  f.departure_s[0] -= 36;  // 36 s less: 0.1 kWh short unless it charges now
  out = dispatch_cycle(f, 0, -10, DispatchConfig{}, sp);
  EXPECT_NEAR(sp[0], 10, 1e-6);  // full power
  f.energy_kwh[0] = 55;  // 5 kWh to spare: it may discharge, as far as the spare allows
  out = dispatch_cycle(f, 0, -10, DispatchConfig{}, sp);
  EXPECT_NEAR(sp[0], -10, 1e-6);
}

// The owner's discharge cap holds in dispatch too: once it is used up the car only charges.
TEST(Dispatcher, DischargeCapIsKept) {
  std::mt19937_64 rng(2);
  auto f = random_fleet(rng, 20);
  for (size_t i = 0; i < f.size(); ++i) {
    f.energy_kwh[i] = 50;
    f.departure_s[i] = 36000;
    f.discharge_left_kwh[i] = i % 2 ? 0.0 : 0.001;
  }
  std::vector<double> sp(f.size());
  const double cycle_h = DispatchConfig{}.cycle_s / 3600.0;
  dispatch_cycle(f, 0, -1e6, DispatchConfig{}, sp);  // everyone asked to discharge as much as possible
  for (size_t i = 0; i < f.size(); ++i) EXPECT_LE(-sp[i] * cycle_h, f.discharge_left_kwh[i] + 1e-12) << i;
}

}  // namespace
}  // namespace voltpool
