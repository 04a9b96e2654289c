// CSV, RFC 4180: CRLF line ends, a header, one row per participant per meeting.
#include "boshtap/app/report/report_format.hpp"

#include "boshtap/app/report/timestamp.hpp"
#include "boshtap/core/event_json.hpp"

#include <fmt/format.h>

namespace boshtap::app::report {

std::string csv_field(std::string_view s)
{
    // A participant-chosen name starting with = + - @ (or tab/CR) would run as a formula in a
    // spreadsheet (CSV injection): a leading apostrophe makes it text there.
    std::string text;
    if (!s.empty() && std::string_view("=+-@\t\r").find(s.front()) != std::string_view::npos)
        text = "'";
    text += s;
    s = text;
    if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
    std::string out = "\"";
    for (const char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
    return out;
}

namespace {

std::int64_t seconds(core::Duration d) { return whole_seconds(d); }

const char* boolean(bool b)
{
    return b ? "true" : "false";
}

std::string joined_names(const std::vector<std::string>& names)
{
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : " / ") + n;
    return out;
}

} // namespace

std::string format_csv(const std::vector<Meeting>& meetings)
{
    std::string out = "room,meeting_start,meeting_start_known,meeting_end,meeting_open,names,jid,"
                      "first_join,first_join_known,last_leave,still_present,connections,"
                      "attended_s\r\n";
    for (const auto& m : meetings) {
        const std::string meeting =
            fmt::format("{},{},{},{},{}", csv_field(m.room), core::format_timestamp(m.start),
                        boolean(m.start_known), core::format_timestamp(m.end), boolean(m.open));
        for (const auto& p : m.participants)
            out += fmt::format("{},{},{},{},{},{},{},{},{}\r\n", meeting,
                               csv_field(joined_names(p.names)), csv_field(p.jid.value_or("")),
                               core::format_timestamp(p.first_join), boolean(p.first_join_known),
                               p.last_leave ? core::format_timestamp(*p.last_leave) : "",
                               boolean(p.open()), p.connections, seconds(p.attended));
    }
    return out;
}

} // namespace boshtap::app::report
