#include "battery/wear_cost.hpp"

#include <gtest/gtest.h>

namespace voltpool {
namespace {

// The piecewise-linear calendar cost is convex (an LP carries it exactly) and never above the model where it was
// sampled (every 5 % SoC from 10 %). The model's rate steps up between the anode's potential plateaus, which
// no convex function follows: measured over 10-100 % SoC the form stays within 16 % of the model's highest
// cost for every model at 10, 25 and 35 °C (NCA, whose rate is exponential in SoC, within 0.1 %).
TEST(WearCost, ConvexMinorantCloseToTheModel) {
  for (CellModel m : {CellModel::kNmcGr75AhA, CellModel::kNmcGr50AhB1, CellModel::kNmcGr50AhB2,
                      CellModel::kLfpGr250AhPrismatic, CellModel::kNcaGrPanasonic3Ah, CellModel::kNmc111GrKokam75Ah}) {
    for (double temp : {10.0, 25.0, 35.0}) {
      WearParams w;
      w.model = m;
      w.temp_c = temp;
      WearRates r = linearise_wear(w);
      ASSERT_FALSE(r.calendar_lines.empty());
      for (size_t i = 1; i < r.calendar_lines.size(); ++i) {
        EXPECT_GE(r.calendar_lines[i].first, r.calendar_lines[i - 1].first - 1e-12);  // slopes rise: convex
      }
      double worst = 0, scale = 0;
      for (int i = 10; i <= 100; ++i) {
        double soc = i / 100.0, model = calendar_eur_per_h(w, soc), lines = r.calendar_eur_per_h(soc);
        if (i % 5 == 0) {
          EXPECT_LE(lines, model + 1e-12) << cell_model_name(m) << " " << soc;
        }
        worst = std::max(worst, std::abs(model - lines));
        scale = std::max(scale, model);
      }
      EXPECT_LE(worst, 0.16 * scale) << cell_model_name(m) << " at " << temp << " C";
      EXPECT_GT(r.cycle_eur_per_kwh, 0) << cell_model_name(m);
    }
  }
}

// Parking full costs more than parking half full for NMC (lower anode potential), and warmer costs more.
TEST(WearCost, HighSocAndHeatCostMore) {
  WearParams w;
  EXPECT_GT(calendar_eur_per_h(w, 0.9), calendar_eur_per_h(w, 0.5));
  WearParams hot = w;
  hot.temp_c = 35;
  EXPECT_GT(calendar_eur_per_h(hot, 0.5), calendar_eur_per_h(w, 0.5));
}

}  // namespace
}  // namespace voltpool
