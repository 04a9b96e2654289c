#pragma once
// Runs a transcript through BoshTap / WsTap / Tracker with the transcript's offsets as the
// clock (epoch 1970-01-01T00:00:00Z + t): `boshtap replay` and the fixture tests.
#include "boshtap/core/event.hpp"
#include "boshtap/core/options.hpp"
#include "boshtap/core/transcript.hpp"

#include <vector>

namespace boshtap::core {

struct ReplayOptions {
    TrackerOptions tracker;
    BoshOptions bosh;
    WsOptions ws;
    // After the last section, let timers run (as if time passed) until nothing is pending, so
    // that silent sessions and unresumed sockets are closed.
    bool drain_timers = true;
};

Events replay(const std::vector<TranscriptSection>&, const ReplayOptions& = {});

} // namespace boshtap::core
