// A series' values as text for a database column: comma-separated, each printed so it reads back exactly.
#pragma once

#include <string>
#include <vector>

#include "core/result.hpp"

namespace voltpool::store {

std::string values_text(const std::vector<double>& values);
Result<std::vector<double>> values_from_text(const std::string& text);

}  // namespace voltpool::store
