#pragma once
// The aggregation behind `boshtap report`: events in, meetings out. Pure (no I/O, no clock), so
// every rule in docs/report.md is checked by table tests.
#include "boshtap/app/report/log_event.hpp"
#include "boshtap/core/time.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace boshtap::app::report {

struct Participant {
    std::vector<std::string> names; // display names, in the order first used
    std::optional<std::string> jid; // the bare real JID that identified the person
    core::TimePoint first_join{};
    bool first_join_known = true;              // false: joined before the input begins; the
                                               // time is the earliest moment the input shows
    std::optional<core::TimePoint> last_leave; // nullopt: still present at the end of the input
    std::size_t connections = 0;               // occupants merged into this person
    core::Duration attended{};                 // union of the connections' intervals; an open
                                               // one counts up to the last timestamp seen

    bool open() const noexcept { return !last_leave.has_value(); }
};

struct Meeting {
    std::string room; // bare room JID (lower case)
    core::TimePoint start{};
    bool start_known = true;               // false: in progress when the input begins; start is the
                                           // earliest moment known
    core::TimePoint end{};                 // the last leave, or the last timestamp seen when open
    bool open = false;                     // occupied at the end of the input
    std::vector<Participant> participants; // by first join
};

// Orders events by `ts`. Equal timestamps keep their order within a file; across files, the
// file whose events begin earlier comes first (rotated files may be given in any order).
void sort_events(std::vector<LogEvent>&);

// Removes events repeated in another file at the same moment (the same file given twice, a
// copy next to its compressed twin). Needs sorted events; returns how many were removed.
std::size_t drop_duplicates(std::vector<LogEvent>&);

// Meetings of all rooms, by start. `events` must be sorted.
std::vector<Meeting> build_meetings(const std::vector<LogEvent>& events);

struct MeetingFilter {
    std::vector<std::string> rooms;       // bare room JIDs, or local parts (any service)
    std::optional<core::TimePoint> since; // meetings still going at or after this
    std::optional<core::TimePoint> until; // meetings begun before this (exclusive)
};

std::vector<Meeting> select_meetings(std::vector<Meeting>, const MeetingFilter&);

// Jitsi's anonymous logins get a random UUID as JID local part, new for every connection:
// such a JID names a connection, not a person.
bool is_anonymous_jid(std::string_view bare_jid);

} // namespace boshtap::app::report
