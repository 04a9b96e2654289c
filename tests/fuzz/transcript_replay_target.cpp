// Fuzz target: the transcript reader and the replay (the `boshtap replay` path). Malformed
// headers must end in TranscriptError, never a crash; replayed events must be valid JSON lines
// and balanced per occupant.
#include "event_invariants.hpp"

#include "boshtap/core/replay.hpp"
#include "boshtap/core/transcript.hpp"

#include <cstdint>
#include <string_view>

using namespace boshtap;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char *>(data), size);
    std::vector<core::TranscriptSection> sections;
    try {
        sections = core::parse_transcript(input);
    } catch (const core::TranscriptError &) {
        return 0;
    }
    fuzz::EventInvariants invariants;
    invariants.check(core::replay(sections));
    return 0;
}
