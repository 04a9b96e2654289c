#include "boshtap/app/commands.hpp"

#include "boshtap/core/event_json.hpp"
#include "boshtap/core/replay.hpp"
#include "boshtap/core/transcript.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <fstream>
#include <sstream>

namespace boshtap::app {

int run_replay(const std::vector<std::string>& files)
{
    int status = 0;
    for (const auto& file : files) {
        std::ifstream in(file, std::ios::binary);
        if (!in) {
            fmt::print(stderr, "boshtap replay: {}: cannot open\n", file);
            status = 1;
            continue;
        }
        std::ostringstream text;
        text << in.rdbuf();
        try {
            // Each transcript is its own world: fresh state, its own clock from the epoch.
            for (const auto& event : core::replay(core::parse_transcript(text.str())))
                fmt::print("{}\n", core::to_json_line(event));
        } catch (const core::TranscriptError& e) {
            fmt::print(stderr, "boshtap replay: {}: {}\n", file, e.what());
            status = 1;
        }
    }
    std::fflush(stdout);
    return status;
}

} // namespace boshtap::app
