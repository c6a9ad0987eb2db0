// One entry point for every session data set: the format is told by the header (ACN-Data; Dundee and
// Perth & Kinross council exports). Several files, or a folder of them, merge into one set sorted by arrival.
#pragma once

#include <string>
#include <vector>

#include "data/csv_file.hpp"
#include "fleet/session.hpp"

namespace voltpool {

// Each path is a file or a folder (all *.csv in it, in name order; files in a folder that hold no sessions, like
// Dundee's charge-point locations, are passed over). All files must share one format.
Result<SessionSet> load_sessions(const std::vector<std::string>& paths, const LoadOptions& opts, LoadStats& stats);

// The files a path names: itself, or the files with `suffix` in a folder, sorted.
Result<std::vector<std::string>> expand_path(const std::string& path, const std::string& suffix);

}  // namespace voltpool
