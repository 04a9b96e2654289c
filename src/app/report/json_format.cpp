// One JSON document, built and serialised with Boost.JSON.
#include "boshtap/app/report/report_format.hpp"

#include "boshtap/app/report/timestamp.hpp"

#include "boshtap/core/event_json.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

namespace boshtap::app::report {

namespace {

namespace json = boost::json;

json::value seconds(core::Duration d) { return whole_seconds(d); }

json::value optional_time(const std::optional<core::TimePoint>& t)
{
    if (!t) return nullptr;
    return json::string(core::format_timestamp(*t));
}

json::object participant_json(const Participant& p)
{
    json::object o;
    json::array names;
    for (const auto& n : p.names) names.emplace_back(n);
    o["names"] = std::move(names);
    o["jid"] = p.jid ? json::value(*p.jid) : json::value(nullptr);
    o["first_join"] = core::format_timestamp(p.first_join);
    o["first_join_known"] = p.first_join_known;
    o["last_leave"] = optional_time(p.last_leave);
    o["still_present"] = p.open();
    o["connections"] = p.connections;
    o["attended_s"] = seconds(p.attended);
    return o;
}

} // namespace

json::value report_json(const std::vector<Meeting>& meetings, const InputSummary& input)
{
    json::array list;
    for (const auto& m : meetings) {
        json::object o;
        o["room"] = m.room;
        o["start"] = core::format_timestamp(m.start);
        o["start_known"] = m.start_known;
        o["end"] = core::format_timestamp(m.end);
        o["open"] = m.open;
        o["duration_s"] = seconds(m.end - m.start);
        json::array people;
        for (const auto& p : m.participants) people.emplace_back(participant_json(p));
        o["participants"] = std::move(people);
        list.emplace_back(std::move(o));
    }
    json::object in;
    in["files"] = input.files;
    in["events"] = input.events;
    in["malformed_lines"] = input.malformed_lines;
    in["duplicate_events"] = input.duplicates;
    in["first_ts"] = optional_time(input.first);
    in["last_ts"] = optional_time(input.last);
    json::object doc;
    doc["input"] = std::move(in);
    doc["meetings"] = std::move(list);
    return doc;
}

} // namespace boshtap::app::report
