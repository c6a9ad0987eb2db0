#include "sim/vehicle_health.hpp"

#include <gtest/gtest.h>

namespace voltpool {
namespace {

// A grid of `days` days of quarter hours, and sessions given as (vehicle, first step, kW per step).
struct MeteredRun {
  SimulationInput in;
  SimulationResult result;

  explicit MeteredRun(int days, int extra_steps = 0) {
    in.grid = TimeGrid{UtcTime{std::chrono::hours{24 * 19000}}, Seconds{900}, days * 96 + extra_steps};
  }

  void add(const std::string& vehicle, int first, double arrival_soc, std::vector<double> kw) {
    PlugSession s;
    s.id = std::to_string(in.sessions.size());
    s.vehicle_id = vehicle;
    s.capacity_kwh = 60;
    s.arrival_energy_kwh = arrival_soc * 60;
    s.charge_efficiency = s.discharge_efficiency = 1.0;
    in.sessions.push_back(s);
    SessionOutcome o;
    o.cost_eur = 1.5;
    result.sessions.push_back(o);
    if (result.meter.offset.empty()) result.meter.offset.push_back(0);
    result.meter.first_step.push_back(first);
    result.meter.kw.insert(result.meter.kw.end(), kw.begin(), kw.end());
    result.meter.offset.push_back(result.meter.kw.size());
  }
};

// The model stepped by hand on a constant daily SoC, for comparison.
double constant_soc_loss_pct(double soc, int days, const HealthOptions& o) {
  DutyCycle c = daily_cycle({{0, soc}, {24, soc}}, o.temp_c, 900);
  Stressors s = extract_stressors(c);
  FadeRates rates = fade_rates(o.model, c, s);
  AgingState state;
  for (int d = 0; d < days; ++d) age(state, rates, 1.0, s.delta_efc);
  return (1 - state.relative_capacity()) * kPackFadeFactor * 100;
}

TEST(VehicleHealth, AParkedCarAgesAsTheModelSaysAtItsSoc) {
  HealthOptions o;
  MeteredRun run(60);
  run.add("parked-high", 0, 0.9, {0.0});  // plugged for one idle step, then parked at 90 % for 60 days
  run.add("parked-low", 0, 0.3, {0.0});
  auto health = vehicle_health(run.in, run.result, o);
  ASSERT_EQ(health.size(), 2u);
  EXPECT_NEAR(health[0].capacity_loss_pct, constant_soc_loss_pct(0.9, 60, o), 1e-12);
  EXPECT_NEAR(health[1].capacity_loss_pct, constant_soc_loss_pct(0.3, 60, o), 1e-12);
  EXPECT_GT(health[0].capacity_loss_pct, health[1].capacity_loss_pct);  // high SoC wears the cell faster
  EXPECT_NEAR(health[0].capacity_loss_years_pct, constant_soc_loss_pct(0.9, 10 * 365, o), 1e-9);
}

TEST(VehicleHealth, SessionsOfOneVehicleShareItsBatteryAndCycling) {
  HealthOptions o;
  MeteredRun run(20);
  // One car charged every day from 30 % to 70 % (24 kWh in 4 h at 6 kW) against one that is charged once.
  for (int d = 0; d < 20; ++d) run.add("daily", d * 96 + 32, 0.3, std::vector<double>(16, 6.0));
  run.add("once", 32, 0.3, std::vector<double>(16, 6.0));
  auto health = vehicle_health(run.in, run.result, o);
  ASSERT_EQ(health.size(), 2u);
  EXPECT_EQ(health[0].vehicle_id, "daily");
  EXPECT_EQ(health[0].sessions, 20);
  EXPECT_NEAR(health[0].cost_eur, 20 * 1.5, 1e-12);
  EXPECT_EQ(health[1].sessions, 1);
  // Both sit at 70 % most of the time, but the daily car also cycles 0.4 of its capacity a day.
  EXPECT_GT(health[0].capacity_loss_pct, health[1].capacity_loss_pct);
  EXPECT_GT(health[0].capacity_loss_years_pct, health[0].capacity_loss_pct);
}

// A run that ends mid-day ages the part-day too: half a day parked at 90 % costs half a day's calendar loss
// (the power law's first step scales with time).
TEST(VehicleHealth, APartDayAgesForItsShare) {
  HealthOptions o;
  MeteredRun half(0, 48);
  half.add("car", 0, 0.9, {0.0});
  auto health = vehicle_health(half.in, half.result, o);
  ASSERT_EQ(health.size(), 1u);
  DutyCycle c = daily_cycle({{0, 0.9}, {24, 0.9}}, o.temp_c, 900);
  AgingState state;
  age(state, fade_rates(o.model, c, extract_stressors(c)), 0.5, 0);
  EXPECT_NEAR(health[0].capacity_loss_pct, (1 - state.relative_capacity()) * kPackFadeFactor * 100, 1e-12);
  EXPECT_GT(health[0].capacity_loss_pct, 0);
}

// Overlapping sessions of one car in the data: one inside a longer one neither rewrites the longer one's SoC
// nor sets what the car holds afterwards.
TEST(VehicleHealth, ASessionInsideALongerOneChangesNothing) {
  HealthOptions o;
  MeteredRun alone(3), overlapped(3);
  for (MeteredRun* run : {&alone, &overlapped}) run->add("car", 0, 0.3, std::vector<double>(20, 6.0));
  overlapped.add("car", 4, 0.8, std::vector<double>(4, -6.0));
  auto a = vehicle_health(alone.in, alone.result, o);
  auto b = vehicle_health(overlapped.in, overlapped.result, o);
  EXPECT_NEAR(a[0].capacity_loss_pct, b[0].capacity_loss_pct, 1e-12);
}

TEST(VehicleHealth, ASessionWithoutVehicleIdIsItsOwnVehicle) {
  MeteredRun run(2);
  run.add("", 0, 0.5, {0.0});
  run.add("", 4, 0.5, {0.0});
  auto health = vehicle_health(run.in, run.result, HealthOptions{});
  EXPECT_EQ(health.size(), 2u);
}

// The owner's net: the energy cost saved against uncontrolled charging, less the value of the extra capacity
// lost (60 kWh x 100 EUR/kWh x 0.5 points = 30 EUR).
TEST(VehicleHealth, AnOwnersNetIsTheSavingLessTheExtraWear) {
  VehicleHealth run{"car", 3, 60, 40.0, 2.0, 12.0}, base{"car", 3, 60, 100.0, 1.5, 11.0};
  auto owners = owner_outcomes({run}, {base}, 100);
  ASSERT_EQ(owners.size(), 1u);
  EXPECT_NEAR(owners[0].saved_eur, 60, 1e-12);
  EXPECT_NEAR(owners[0].extra_wear_eur, 30, 1e-12);
  EXPECT_NEAR(owners[0].net_gain_eur, 30, 1e-12);
  EXPECT_TRUE(owner_outcomes({run}, {}, 100).empty());  // no baseline for it: no comparison
}

}  // namespace
}  // namespace voltpool
