// --room, --since and --until: which meetings the report shows.
#include "boshtap/app/report/attendance.hpp"

#include <algorithm>

namespace boshtap::app::report {

namespace {

std::string lower(std::string_view s)
{
    std::string out(s);
    for (auto& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

bool room_matches(const std::string& room, const std::string& wanted_text)
{
    std::string wanted = lower(wanted_text);
    if (const auto slash = wanted.find('/'); slash != std::string::npos) wanted.resize(slash);
    if (wanted.find('@') != std::string::npos) return room == wanted;
    // A bare name matches the room of that name on any MUC service.
    return room.size() > wanted.size() && room.compare(0, wanted.size(), wanted) == 0 &&
           room[wanted.size()] == '@';
}

} // namespace

std::vector<Meeting> select_meetings(std::vector<Meeting> meetings, const MeetingFilter& filter)
{
    std::erase_if(meetings, [&](const Meeting& m) {
        if (!filter.rooms.empty() &&
            std::none_of(filter.rooms.begin(), filter.rooms.end(),
                         [&](const std::string& r) { return room_matches(m.room, r); }))
            return true;
        // A meeting is shown whole when any part of it falls in the window.
        if (filter.since && m.end < *filter.since) return true;
        if (filter.until && m.start >= *filter.until) return true;
        return false;
    });
    return meetings;
}

} // namespace boshtap::app::report
