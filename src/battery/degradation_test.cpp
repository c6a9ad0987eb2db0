#include "battery/degradation.hpp"

#include <gtest/gtest.h>

#include <map>

#include "data/csv_file.hpp"
#include "data/parse.hpp"
#include "data/testing.hpp"

namespace voltpool {
namespace {

// The reference daily profiles of models.md §1.4.
const std::map<std::string, std::vector<std::pair<double, double>>>& reference_profiles() {
  static const std::map<std::string, std::vector<std::pair<double, double>>> profiles = {
      {"P0_store50", {{0, 0.5}, {24, 0.5}}},
      {"P0_store90", {{0, 0.9}, {24, 0.9}}},
      {"P1_commute", {{0, 0.7}, {2, 0.9}, {7, 0.9}, {8, 0.8}, {17, 0.8}, {18, 0.7}, {24, 0.7}}},
      {"P2_commute_v2g", {{0, 0.4}, {4, 0.9}, {7, 0.9}, {8, 0.8}, {17, 0.8}, {18, 0.7}, {21, 0.4}, {24, 0.4}}},
      {"P3_dod80_daily", {{0, 0.1}, {4, 0.9}, {12, 0.9}, {16, 0.1}, {24, 0.1}}},
  };
  return profiles;
}

TEST(Degradation, AnodePotentialCheckValues) {
  const double expected[] = {0.684354, 0.233248, 0.180521, 0.148847, 0.130141, 0.123304,
                             0.118870, 0.108387, 0.094263, 0.088185, 0.086382};
  for (int i = 0; i <= 10; ++i) EXPECT_NEAR(anode_potential_v(i / 10.0), expected[i], 1e-6) << i;
}

TEST(Degradation, StressorsOfTheReferenceProfiles) {
  auto p1 = extract_stressors(daily_cycle(reference_profiles().at("P1_commute"), 25));
  EXPECT_NEAR(p1.dod, 0.2, 1e-12);
  EXPECT_NEAR(p1.delta_efc, 0.2, 1e-12);
  EXPECT_NEAR(p1.crate, 0.014583, 1e-6);
  auto p2 = extract_stressors(daily_cycle(reference_profiles().at("P2_commute_v2g"), 25));
  EXPECT_NEAR(p2.crate, 0.039062, 1e-6);
  auto p3 = extract_stressors(daily_cycle(reference_profiles().at("P3_dod80_daily"), 25));
  EXPECT_NEAR(p3.crate, 0.0625, 1e-9);
  EXPECT_NEAR(p3.delta_efc, 0.8, 1e-12);
}

TEST(Degradation, RatesMatchTheReferenceTable) {
  auto rates = [](const char* profile, CellModel m) {
    auto c = daily_cycle(reference_profiles().at(profile), 25);
    return fade_rates(m, c, extract_stressors(c));
  };
  EXPECT_NEAR(rates("P0_store50", CellModel::kNmcGr75AhA).k_cal / 0.00742156, 1, 1e-5);
  EXPECT_NEAR(rates("P2_commute_v2g", CellModel::kNmcGr75AhA).k_cyc / 0.586597, 1, 1e-5);
  EXPECT_NEAR(rates("P1_commute", CellModel::kNmcGr50AhB1).k_cyc / 0.0701331, 1, 1e-5);
  EXPECT_NEAR(rates("P3_dod80_daily", CellModel::kNmcGr50AhB2).k_cyc / 0.0306592, 1, 1e-5);
  EXPECT_NEAR(rates("P2_commute_v2g", CellModel::kLfpGr250AhPrismatic).k_cal / 6.3165e-4, 1, 1e-4);
  EXPECT_NEAR(rates("P3_dod80_daily", CellModel::kNcaGrPanasonic3Ah).k_cyc / 2.8692e-4, 1, 1e-4);
}

// Every row of ../shared/reference/blast_reference.csv for the models voltpool implements, reproduced by
// stepping the daily duty cycle as BLAST's constant-input mode does, within 0.0005 of relative capacity.
TEST(Degradation, ReproducesBlastReference) {
  auto file = CsvFile::open(testing::shared_path("reference/blast_reference.csv"));
  ASSERT_TRUE(file.ok()) << file.error().message;
  CsvFile& csv = *file;
  size_t c_temp = *csv.require_column("T_C"), c_profile = *csv.require_column("profile"),
         c_model = *csv.require_column("blast_model"), c_day = *csv.require_column("target_day"),
         c_efc = *csv.require_column("EFC"), c_q = *csv.require_column("q_rel_capacity");
  int checked = 0;
  double worst = 0;
  while (csv.next()) {
    auto model = find_cell_model(csv.field(c_model));
    if (!model) continue;
    double temp = *parse_number(csv.field(c_temp));
    int days = static_cast<int>(*parse_number(csv.field(c_day)));
    auto cycle = daily_cycle(reference_profiles().at(csv.field(c_profile)), temp);
    Stressors s = extract_stressors(cycle);
    FadeRates r = fade_rates(*model, cycle, s);
    AgingState state;
    for (int d = 0; d < days; ++d) age(state, r, 1.0, s.delta_efc);
    double q = *parse_number(csv.field(c_q));
    EXPECT_NEAR(state.efc, *parse_number(csv.field(c_efc)), 1e-6) << "line " << csv.line();
    EXPECT_NEAR(state.relative_capacity(), q, 5e-4) << "line " << csv.line() << " " << csv.field(c_model);
    worst = std::max(worst, std::abs(state.relative_capacity() - q));
    ++checked;
  }
  EXPECT_EQ(checked, 6 * 105);
  RecordProperty("worst_abs_error", std::to_string(worst));
  std::cout << "worst |q - q_BLAST| over " << checked << " rows: " << worst << "\n";
}

}  // namespace
}  // namespace voltpool
