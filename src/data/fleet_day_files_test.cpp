#include "data/fleet_day_files.hpp"

#include <gtest/gtest.h>

#include "data/testing.hpp"

namespace voltpool {
namespace {

void expect_same(const std::vector<BenchEv>& a, const std::vector<BenchEv>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i].id, b[i].id);
    ASSERT_EQ(a[i].overnight, b[i].overnight) << i;
    ASSERT_EQ(a[i].arrival_step, b[i].arrival_step) << i;
    ASSERT_EQ(a[i].departure_step, b[i].departure_step) << i;
    ASSERT_DOUBLE_EQ(a[i].capacity_kwh, b[i].capacity_kwh) << i;
    ASSERT_DOUBLE_EQ(a[i].e_arrival_kwh, b[i].e_arrival_kwh) << i;
    ASSERT_DOUBLE_EQ(a[i].e_target_kwh, b[i].e_target_kwh) << i;
    ASSERT_DOUBLE_EQ(a[i].e_min_kwh, b[i].e_min_kwh) << i;
    ASSERT_DOUBLE_EQ(a[i].p_max_kw, b[i].p_max_kw) << i;
    ASSERT_DOUBLE_EQ(a[i].p_dis_max_kw, b[i].p_dis_max_kw) << i;
  }
}

TEST(FleetDay, GeneratorReproducesPublishedFiles) {
  for (int n : {100, 1000, 10000}) {
    LoadStats stats;
    auto file = load_fleet_day_evs(
        testing::shared_path("bench/scenarios/evs_N" + std::to_string(n) + "_s42.csv"), {}, stats);
    ASSERT_TRUE(file.ok()) << file.error().message;
    expect_same(*file, generate_fleet_day(n, 42));
  }
}

TEST(FleetDay, PricesMatchPublishedFile) {
  LoadStats stats;
  auto p = load_step_prices(testing::shared_path("bench/scenarios/prices.csv"), {}, stats);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(*p, fleet_day_prices_eur_per_kwh());
}

TEST(FleetDay, BadRowNamesLineAndField) {
  testing::TempFile f("evs_bad.csv",
                      "id,kind,arrival,departure,capacity_kwh,e_arrival_kwh,e_target_kwh,e_min_kwh,p_max_kw,"
                      "p_dis_max_kw\n0,overnight,27,73,75,30.75,75,15,7.4,7.4\n1,overnight,30,20,75,22.5,75,15,11,11\n");
  LoadStats stats;
  auto evs = load_fleet_day_evs(f.path(), {}, stats);
  ASSERT_FALSE(evs.ok());
  EXPECT_EQ(evs.error().message, f.path() + ":3: field 'departure': expected a departure after the arrival, got '20'");
}

}  // namespace
}  // namespace voltpool
