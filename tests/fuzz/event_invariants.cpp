#include "event_invariants.hpp"

#include "boshtap/core/event_json.hpp"

#include <boost/json/parse.hpp>

#include <cstdio>
#include <cstdlib>

namespace boshtap::fuzz {

void violation(const std::string &what) {
    std::fprintf(stderr, "INVARIANT VIOLATION: %s\n", what.c_str());
    std::fflush(stderr);
    std::abort();
}

namespace {

void check_line(const core::Event &e) {
    const std::string line = core::to_json_line(e);
    if (line.find('\n') != std::string::npos || line.find('\r') != std::string::npos)
        violation("event line contains a line break: " + line);
    boost::system::error_code ec;
    // The default parse options reject invalid UTF-8, as strict JSON readers do.
    const auto value = boost::json::parse(line, ec);
    if (ec)
        violation("event line is not valid JSON (" + ec.message() + "): " + line);
    if (!value.is_object())
        violation("event line is not an object: " + line);
}

std::string who(const core::Event &e) {
    return e.room + "/" + e.occupant;
}

} // namespace

void EventInvariants::check(const core::Events &events) {
    for (const auto &e : events) {
        check_line(e);
        const auto key = std::make_pair(e.room, e.occupant);
        switch (e.kind) {
        case core::EventKind::join:
            if (open_.count(key))
                violation("second join without a leave: " + who(e));
            open_.emplace(key, true);
            break;
        case core::EventKind::nick_change:
            if (e.old_occupant) {
                // A MUC nickname change moves the occupant to a new resource.
                const auto old_key = std::make_pair(e.room, *e.old_occupant);
                if (!open_.erase(old_key))
                    violation("rename of an occupant that is not open: " + e.room + "/" +
                              *e.old_occupant);
                if (open_.count(key))
                    violation("rename onto an open occupant: " + who(e));
                open_.emplace(key, true);
            } else if (!open_.count(key)) {
                violation("nick_change without a join: " + who(e));
            }
            break;
        case core::EventKind::leave:
            if (!open_.erase(key))
                violation("leave without a join: " + who(e));
            break;
        }
    }
}

} // namespace boshtap::fuzz
