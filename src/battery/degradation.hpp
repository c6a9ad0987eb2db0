// Battery capacity fade from the semi-empirical cell models of NREL's BLAST-Lite family, written from the
// equations in ../shared/reference/models.md §1 (not from BLAST's source): calendar loss driven by time,
// temperature and state of charge (through the graphite anode potential), cycle loss driven by equivalent full
// cycles, depth of discharge and C-rate. Rates are time-averaged over a duty cycle (a day) and the two loss
// states are stepped per day with BLAST's power-law update, so a constant daily duty reproduces BLAST's
// constant-input mode. Relative capacity q = 1 - calendar loss - cycle loss (cell level; packs fade 20-30 %
// faster by BLAST's rule of thumb, see pack_fade_factor).
#pragma once

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace voltpool {

enum class CellModel {
  kNmcGr75AhA,
  kNmcGr50AhB1,
  kNmcGr50AhB2,
  kLfpGr250AhPrismatic,
  kNcaGrPanasonic3Ah,
  kNmc111GrKokam75Ah,
};

// By BLAST-Lite class name ("NMC_Gr_75Ah_A", "NMC_Gr_50Ah_B1", "NMC_Gr_50Ah_B2", "Lfp_Gr_250AhPrismatic",
// "Nca_Gr_Panasonic3Ah_Battery", "Nmc111_Gr_Kokam75Ah_Battery").
std::optional<CellModel> find_cell_model(std::string_view name);
std::string_view cell_model_name(CellModel m);
std::string cell_model_names();

// A duty cycle sampled in time: seconds from its start, state of charge in [0, 1], cell temperature in °C.
struct DutyCycle {
  std::vector<double> t_s;
  std::vector<double> soc;
  std::vector<double> temp_c;
};

// A day from (hour, soc) breakpoints, piecewise linear, sampled every `step_s` seconds (BLAST's reference
// profiles: hourly, 25 samples), at a constant temperature.
DutyCycle daily_cycle(const std::vector<std::pair<double, double>>& hour_soc, double temp_c, double step_s = 3600);

// Graphite anode potential vs Li (V) at a state of charge (Safari & Delacourt 2011, lithiation per Schimpe 2018).
double anode_potential_v(double soc);

struct Stressors {
  double days = 0;       // duration of the cycle
  double delta_efc = 0;  // equivalent full cycles: sum |dSOC| / 2
  double dod = 0;        // max SOC - min SOC
  double crate = 0;      // BLAST's C-rate (trapezoid of |dSOC/dt| over the interval values, per hour)
};
Stressors extract_stressors(const DutyCycle& c);

// Loss = k_cal * (days / cal_scale)^p_cal and k_cyc * (EFC / cyc_scale)^p_cyc, the rates time-averaged over the cycle.
// Kokam's loss of active material adds a sigmoid "knee" in EFC: q = min(1 - losses, 1.01 - lam), with
// lam = 2 (1/2 - 1/(1 + exp((EFC / lam_scale_efc)^10))) (lam_scale_efc 0 for models without it).
struct FadeRates {
  double k_cal = 0, p_cal = 1, cal_scale_days = 1;
  double k_cyc = 0, p_cyc = 1, cyc_scale_efc = 1;
  double lam_scale_efc = 0;
};
FadeRates fade_rates(CellModel m, const DutyCycle& c, const Stressors& s);

struct AgingState {
  double days = 0;
  double efc = 0;
  double calendar_loss = 0;
  double cycle_loss = 0;
  double active_material_loss = 0;
  double relative_capacity() const {
    double q = 1.0 - calendar_loss - cycle_loss;
    return active_material_loss > 0 ? std::min(q, 1.01 - active_material_loss) : q;
  }
};

// Advances both loss states by dt_days and d_efc at the given rates (BLAST's update: the exact power law on
// the first step, forward Euler on the trajectory's ODE after it).
void age(AgingState& state, const FadeRates& rates, double dt_days, double d_efc);

// A pack fades faster than its cells (BLAST README: pack life 20-30 % shorter): losses are multiplied by this.
inline constexpr double kPackFadeFactor = 1.25;

}  // namespace voltpool
