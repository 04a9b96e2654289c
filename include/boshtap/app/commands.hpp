#pragma once
#include "boshtap/app/config.hpp"

#include <string>
#include <vector>

namespace boshtap::app {

// `boshtap replay FILE...`: events of each transcript as JSON Lines on stdout. Exit code.
int run_replay(const std::vector<std::string>& files);

// The proxy until SIGTERM/SIGINT. Exit code (2: the configuration cannot be used).
int run_proxy(const RunConfig&);

} // namespace boshtap::app
