// The vpp-fleet-day-v1 benchmark files (../shared/bench/vpp-fleet-day-v1.md): the fleet CSV
// `id,kind,arrival,departure,capacity_kwh,e_arrival_kwh,e_target_kwh,e_min_kwh,p_max_kw,p_dis_max_kw` and the
// price CSV `step,start_local,price_eur_per_kwh`.
#pragma once

#include <string>
#include <vector>

#include "data/csv_file.hpp"
#include "fleet/vpp_fleet_day.hpp"

namespace voltpool {

// Rows are checked for sense (0 <= arrival < departure <= 96, 0 <= e_min <= e_arrival <= e_target <= capacity,
// powers >= 0); a bad row is an error naming its line and field.
Result<std::vector<BenchEv>> load_fleet_day_evs(const std::string& path, const LoadOptions& opts, LoadStats& stats);
// Prices per step in EUR/kWh, steps 0..n-1 each exactly once.
Result<std::vector<double>> load_step_prices(const std::string& path, const LoadOptions& opts, LoadStats& stats);

}  // namespace voltpool
