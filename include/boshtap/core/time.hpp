#pragma once
// The core never reads a clock: every entry point takes the current time from its caller.
// The proxy passes wall-clock time, `boshtap replay` passes epoch + the transcript's offsets.
#include <chrono>

namespace boshtap::core {

using TimePoint = std::chrono::sys_time<std::chrono::milliseconds>;
using Duration = std::chrono::milliseconds;

} // namespace boshtap::core
