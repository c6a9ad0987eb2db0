// The service's logs on stderr: readable lines, or with `--log-format json` one JSON object per line (time in
// UTC, level, logger, thread, message) for log collectors.
#pragma once

#include <string>

#include "core/result.hpp"

namespace voltpool::app {

Status set_up_logging(const std::string& format);  // "text" or "json"

}  // namespace voltpool::app
