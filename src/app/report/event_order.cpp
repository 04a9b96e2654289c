// Putting the events of several (rotated) files into one timeline.
#include "boshtap/app/report/attendance.hpp"

#include <algorithm>
#include <numeric>

namespace boshtap::app::report {

void sort_events(std::vector<LogEvent>& events)
{
    // Rank the files by their first moment, so a tie at a file boundary (same millisecond at
    // the end of events.1 and the start of events) keeps the order the events were written.
    std::uint32_t files = 0;
    for (const auto& e : events) files = std::max(files, e.file + 1);
    std::vector<core::TimePoint> first(files, core::TimePoint::max());
    for (const auto& e : events) first[e.file] = std::min(first[e.file], e.ts);
    std::vector<std::uint32_t> order(files), rank(files);
    std::iota(order.begin(), order.end(), 0u);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::uint32_t a, std::uint32_t b) { return first[a] < first[b]; });
    for (std::uint32_t r = 0; r < files; ++r) rank[order[r]] = r;

    std::stable_sort(events.begin(), events.end(), [&](const LogEvent& a, const LogEvent& b) {
        if (a.ts != b.ts) return a.ts < b.ts;
        return rank[a.file] < rank[b.file];
    });
}

namespace {

bool same_event(const LogEvent& a, const LogEvent& b)
{
    // Strings are interned: equal text, equal pointer.
    return a.kind == b.kind && a.room == b.room && a.occupant == b.occupant && a.nick == b.nick &&
           a.old_nick == b.old_nick && a.old_occupant == b.old_occupant && a.jid == b.jid;
}

} // namespace

std::size_t drop_duplicates(std::vector<LogEvent>& events)
{
    std::vector<LogEvent> kept;
    kept.reserve(events.size());
    std::size_t run_begin = 0; // first kept event with the current timestamp
    for (auto& e : events) {
        if (kept.empty() || kept.back().ts != e.ts) run_begin = kept.size();
        const bool repeated =
            std::any_of(kept.begin() + static_cast<std::ptrdiff_t>(run_begin), kept.end(),
                        [&](const LogEvent& k) { return k.file != e.file && same_event(k, e); });
        if (!repeated) kept.push_back(e);
    }
    const std::size_t dropped = events.size() - kept.size();
    events.swap(kept);
    return dropped;
}

} // namespace boshtap::app::report
