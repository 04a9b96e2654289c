// Meetings from the event timeline: see docs/report.md for the rules.
#include "boshtap/app/report/attendance.hpp"

#include <algorithm>
#include <map>
#include <numeric>
#include <set>
#include <unordered_map>

namespace boshtap::app::report {

using core::EventKind;
using core::TimePoint;

bool is_anonymous_jid(std::string_view bare)
{
    const auto at = bare.find('@');
    if (at != 36) return false;
    for (std::size_t i = 0; i < at; ++i) {
        const char c = bare[i];
        const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        if (dash ? c != '-' : !hex) return false;
    }
    return true;
}

namespace {

// One occupant (room, resource) from join to leave: one connection of a person.
struct Connection {
    TimePoint start{};
    bool start_exact = true;     // the join is in the input, or its leave's duration_s gives it
    bool joined_in_input = true; // the join event itself is in the input
    std::optional<TimePoint> end;
    std::vector<const std::string*> nicks; // distinct, in order of use
    const std::string* jid = nullptr;      // first real JID seen

    void add_nick(const std::string* nick)
    {
        if (nick && !nick->empty() && std::find(nicks.begin(), nicks.end(), nick) == nicks.end())
            nicks.push_back(nick);
    }
};

struct OpenMeeting {
    std::vector<Connection> connections;
    std::unordered_map<const std::string*, std::size_t> present; // resource -> connection
};

std::string lower(std::string_view s)
{
    std::string out(s);
    for (auto& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

std::optional<std::string> identifying_jid(const Connection& c)
{
    if (!c.jid) return std::nullopt;
    std::string bare = lower(c.jid->substr(0, c.jid->find('/')));
    if (bare.empty() || is_anonymous_jid(bare)) return std::nullopt;
    return bare;
}

struct DisjointSets {
    std::vector<std::size_t> parent;
    explicit DisjointSets(std::size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
    std::size_t find(std::size_t i)
    {
        while (parent[i] != i) i = parent[i] = parent[parent[i]];
        return i;
    }
    void join(std::size_t a, std::size_t b) { parent[find(a)] = find(b); }
};

// The merge rule: connections with the same identifying bare JID are one person; connections
// without one are one person when they used a display name in common. Returns groups of
// connection indexes.
std::vector<std::vector<std::size_t>> group_people(const std::vector<Connection>& conns)
{
    DisjointSets sets(conns.size());
    std::map<std::string, std::size_t> by_jid;
    std::unordered_map<const std::string*, std::size_t> by_nick;
    for (std::size_t i = 0; i < conns.size(); ++i) {
        if (const auto jid = identifying_jid(conns[i])) {
            const auto [it, fresh] = by_jid.emplace(*jid, i);
            if (!fresh) sets.join(i, it->second);
            continue;
        }
        for (const auto* nick : conns[i].nicks) {
            const auto [it, fresh] = by_nick.emplace(nick, i);
            if (!fresh) sets.join(i, it->second);
        }
    }
    std::map<std::size_t, std::vector<std::size_t>> groups;
    for (std::size_t i = 0; i < conns.size(); ++i) groups[sets.find(i)].push_back(i);
    std::vector<std::vector<std::size_t>> out;
    for (auto& [root, members] : groups) out.push_back(std::move(members));
    return out;
}

// Length of the union of [start, end) intervals.
core::Duration union_length(std::vector<std::pair<TimePoint, TimePoint>> spans)
{
    std::sort(spans.begin(), spans.end());
    core::Duration total{};
    std::optional<std::pair<TimePoint, TimePoint>> run;
    for (const auto& s : spans) {
        if (run && s.first <= run->second) {
            run->second = std::max(run->second, s.second);
            continue;
        }
        if (run) total += run->second - run->first;
        run = s;
    }
    if (run) total += run->second - run->first;
    return total;
}

Participant make_participant(const std::vector<Connection>& conns,
                             const std::vector<std::size_t>& members, TimePoint input_end)
{
    std::vector<std::size_t> order = members;
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return conns[a].start < conns[b].start; });
    Participant p;
    p.connections = order.size();
    p.first_join = conns[order.front()].start;
    std::vector<std::pair<TimePoint, TimePoint>> spans;
    bool open = false;
    TimePoint last_leave{};
    for (const auto i : order) {
        const auto& c = conns[i];
        p.first_join_known = p.first_join_known && c.start_exact;
        for (const auto* nick : c.nicks)
            if (std::find(p.names.begin(), p.names.end(), *nick) == p.names.end())
                p.names.push_back(*nick);
        if (!p.jid) p.jid = identifying_jid(c);
        open = open || !c.end;
        if (c.end) last_leave = std::max(last_leave, *c.end);
        spans.emplace_back(c.start, std::max(c.start, c.end.value_or(input_end)));
    }
    if (!open) p.last_leave = last_leave;
    p.attended = union_length(std::move(spans));
    return p;
}

Meeting finish_meeting(const std::string& room, OpenMeeting& m, TimePoint input_end)
{
    Meeting out;
    out.room = room;
    out.open = !m.present.empty();
    out.start = m.connections.front().start;
    out.end = input_end;
    if (!out.open) out.end = TimePoint::min();
    for (const auto& c : m.connections) {
        out.start = std::min(out.start, c.start);
        out.start_known = out.start_known && c.joined_in_input;
        if (!out.open && c.end) out.end = std::max(out.end, *c.end);
    }
    for (const auto& members : group_people(m.connections))
        out.participants.push_back(make_participant(m.connections, members, input_end));
    std::stable_sort(
        out.participants.begin(), out.participants.end(),
        [](const Participant& a, const Participant& b) { return a.first_join < b.first_join; });
    return out;
}

// Occupants whose first event in the input is not their join were in their room before the
// input begins. They are placed there from the start, so that a room that looks empty for a
// moment (everyone seen joining has left) still holds them and the meeting goes on. Unless
// their leave's duration_s puts the join inside the input: then a file in the middle is
// missing, and they are taken in when they show up.
std::vector<const LogEvent*> present_at_start(const std::vector<LogEvent>& events)
{
    using Key = std::pair<const std::string*, const std::string*>; // room, resource
    std::set<Key> seen;
    std::map<Key, std::size_t> candidates; // -> index in `found`
    std::vector<const LogEvent*> found;
    const TimePoint input_begin = events.front().ts;
    for (const auto& e : events) {
        const Key from{e.room, e.old_occupant ? e.old_occupant : e.occupant};
        const Key to{e.room, e.occupant};
        if (seen.insert(from).second && e.kind != EventKind::join) {
            candidates[from] = found.size();
            found.push_back(&e);
        }
        seen.insert(to);
        const auto it = candidates.find(from);
        if (it == candidates.end()) continue;
        const std::size_t index = it->second;
        candidates.erase(it);
        if (e.kind == EventKind::leave) {
            if (e.duration && e.ts - *e.duration > input_begin) found[index] = nullptr;
        } else {
            candidates[to] = index;
        }
    }
    std::erase(found, nullptr);
    return found;
}

class MeetingBuilder {
public:
    explicit MeetingBuilder(TimePoint input_begin, TimePoint input_end)
        : input_begin_(input_begin), input_end_(input_end)
    {
    }

    void already_present(const LogEvent& e)
    {
        const auto* resource = e.old_occupant ? e.old_occupant : e.occupant;
        auto& c = open_connection(e.room, resource, input_begin_);
        c.start_exact = c.joined_in_input = false;
        c.add_nick(e.kind == EventKind::nick_change ? e.old_nick : e.nick);
        if (!c.jid) c.jid = e.jid;
    }

    void apply(const LogEvent& e)
    {
        switch (e.kind) {
        case EventKind::join: return join(e);
        case EventKind::nick_change: return nick_change(e);
        case EventKind::leave: return leave(e);
        }
    }

    std::vector<Meeting> finish()
    {
        for (auto& [room, m] : rooms_) meetings_.push_back(finish_meeting(*room, m, input_end_));
        rooms_.clear();
        std::stable_sort(meetings_.begin(), meetings_.end(),
                         [](const Meeting& a, const Meeting& b) {
                             return a.start != b.start ? a.start < b.start : a.room < b.room;
                         });
        return std::move(meetings_);
    }

private:
    Connection& open_connection(const std::string* room, const std::string* resource,
                                TimePoint start)
    {
        auto& m = rooms_[room];
        auto& c = m.connections.emplace_back();
        c.start = start;
        m.present[resource] = m.connections.size() - 1;
        return c;
    }

    // The occupant's open connection; one whose join is missing from the input (a file in the
    // middle was not given) starts at the first moment it is seen.
    Connection& present(const LogEvent& e, const std::string* resource, TimePoint seen_since)
    {
        auto& m = rooms_[e.room];
        if (const auto it = m.present.find(resource); it != m.present.end())
            return m.connections[it->second];
        auto& c = open_connection(e.room, resource, seen_since);
        c.start_exact = c.joined_in_input = false;
        return c;
    }

    void join(const LogEvent& e)
    {
        auto& m = rooms_[e.room];
        if (const auto it = m.present.find(e.occupant); it != m.present.end()) {
            // Joined twice without a leave between (a leave is missing): the first ends here.
            m.connections[it->second].end = e.ts;
            m.present.erase(it);
        }
        auto& c = open_connection(e.room, e.occupant, e.ts);
        c.add_nick(e.nick);
        c.jid = e.jid;
    }

    void nick_change(const LogEvent& e)
    {
        const auto* from = e.old_occupant ? e.old_occupant : e.occupant;
        auto& c = present(e, from, e.ts);
        c.add_nick(e.old_nick);
        c.add_nick(e.nick);
        if (!c.jid) c.jid = e.jid;
        if (from != e.occupant) { // MUC nickname change: the occupant moves to a new resource
            auto& m = rooms_[e.room];
            const auto index = m.present.at(from);
            m.present.erase(from);
            // Something already there holds a resource the server has given away: it is gone.
            if (const auto it = m.present.find(e.occupant); it != m.present.end())
                m.connections[it->second].end = e.ts;
            m.present[e.occupant] = index;
        }
    }

    void leave(const LogEvent& e)
    {
        auto& c = present(e, e.occupant, e.duration ? e.ts - *e.duration : e.ts);
        // duration_s counts from the join, also when that join is in a file not given.
        if (!c.start_exact && e.duration) {
            c.start = e.ts - *e.duration;
            c.start_exact = true;
        }
        c.add_nick(e.nick);
        if (!c.jid) c.jid = e.jid;
        c.end = e.ts;
        auto& m = rooms_[e.room];
        m.present.erase(e.occupant);
        if (m.present.empty()) { // the last one left: the meeting is over
            meetings_.push_back(finish_meeting(*e.room, m, input_end_));
            rooms_.erase(e.room);
        }
    }

    TimePoint input_begin_, input_end_;
    std::unordered_map<const std::string*, OpenMeeting> rooms_;
    std::vector<Meeting> meetings_;
};

} // namespace

std::vector<Meeting> build_meetings(const std::vector<LogEvent>& events)
{
    if (events.empty()) return {};
    MeetingBuilder builder(events.front().ts, events.back().ts);
    for (const auto* e : present_at_start(events)) builder.already_present(*e);
    for (const auto& e : events) builder.apply(e);
    return builder.finish();
}

} // namespace boshtap::app::report
