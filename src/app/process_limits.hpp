// Process limits the network commands need: thousands of sockets want more than the default 1024 descriptors.
#pragma once

#include <cstddef>

namespace voltpool::app {

// Raises the soft limit of open files to the hard limit; returns the limit now in force.
std::size_t raise_open_file_limit();

}  // namespace voltpool::app
