#pragma once
// Checks a fuzz target applies to every batch of events: each renders as one line of valid
// JSON (strict UTF-8), and each occupant's sequence is join, nick_change*, leave.
// A violation aborts with a message, which libFuzzer (or the replay runner) reports.
#include "boshtap/core/event.hpp"
#include "boshtap/core/tracker.hpp"

#include <map>
#include <string>
#include <utility>

namespace boshtap::fuzz {

class EventInvariants {
public:
    void check(const core::Events &);
    // Occupants with a join and no leave yet.
    std::size_t open() const { return open_.size(); }

private:
    std::map<std::pair<std::string, std::string>, bool> open_;
};

[[noreturn]] void violation(const std::string &what);

// The end of every run: the tracker and the log agree on who is open, and a graceful shutdown
// closes everyone.
inline void check_end(core::Tracker &tracker, EventInvariants &invariants, core::TimePoint now,
                      core::Events &out)
{
    if (tracker.open_occupants() != invariants.open())
        violation("tracker and event log disagree on open occupants");
    tracker.shutdown(now, out);
    invariants.check(out);
    if (invariants.open() != 0)
        violation("shutdown left occupants open");
}

} // namespace boshtap::fuzz
