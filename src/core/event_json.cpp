#include "boshtap/core/event_json.hpp"

#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include <chrono>
#include <cstdio>

namespace boshtap::core {

std::string format_timestamp(TimePoint tp)
{
    using namespace std::chrono;
    const auto day = floor<days>(tp);
    const year_month_day ymd{day};
    const hh_mm_ss hms{tp - day};
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ",
                  static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()), static_cast<int>(hms.hours().count()),
                  static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()),
                  static_cast<int>(hms.subseconds().count()));
    return buf;
}

namespace {

boost::json::value optional_string(const std::optional<std::string>& s)
{
    if (!s) return nullptr;
    return boost::json::string(*s);
}

} // namespace

boost::json::object to_json(const Event& e)
{
    boost::json::object o;
    o["ts"] = format_timestamp(e.ts);
    o["event"] = to_string(e.kind);
    o["room"] = e.room;
    o["occupant"] = e.occupant;
    o["nick"] = optional_string(e.nick);
    switch (e.kind) {
    case EventKind::join:
        o["source"] = to_string(e.source);
        break;
    case EventKind::nick_change:
        o["old_nick"] = optional_string(e.old_nick);
        if (e.old_occupant) o["old_occupant"] = *e.old_occupant;
        break;
    case EventKind::leave:
        o["reason"] = to_string(e.reason);
        // Seconds with millisecond precision, as a JSON number.
        o["duration_s"] = static_cast<double>(e.duration.count()) / 1000.0;
        break;
    }
    o["jid"] = optional_string(e.jid);
    o["transport"] = to_string(e.conn.transport);
    o["conn"] = e.conn.id;
    o["client_ip"] = e.conn.client_ip;
    o["user_agent"] = e.conn.user_agent;
    return o;
}

std::string serialize_line(const boost::json::object& o)
{
    // Boost.JSON escapes control characters (newlines included) and quotes, so a line never
    // breaks; the core only admits valid UTF-8 (xml::parse), so the output is valid UTF-8.
    // Doubles are the one exception to plain boost::json::serialize: Boost 1.81 writes them in
    // E-notation (1.49107E2), valid but unreadable in a log people grep; fmt writes the
    // shortest round-trip decimal (149.107).
    std::string line = "{";
    for (const auto& [key, value] : o) {
        if (line.size() > 1) line += ',';
        line += boost::json::serialize(boost::json::string_view(key));
        line += ':';
        line += value.is_double() ? fmt::format("{}", value.get_double())
                                  : boost::json::serialize(value);
    }
    line += '}';
    return line;
}

std::string to_json_line(const Event& e)
{
    return serialize_line(to_json(e));
}

} // namespace boshtap::core
