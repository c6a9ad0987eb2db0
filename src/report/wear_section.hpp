// The battery-wear part of a simulation's report (WearSection) in summary.json ("wear"), report.html and
// owners.csv (one row per vehicle: what the VPP saved its owner, the value of the extra capacity it cost them,
// and the net).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "report/simulation_report.hpp"

namespace voltpool {

nlohmann::ordered_json wear_json(const WearSection& w);
std::string wear_html(const WearSection& w, const std::string& strategy);
std::string owners_csv(const WearSection& w);

}  // namespace voltpool
