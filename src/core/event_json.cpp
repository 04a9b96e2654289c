#include "boshtap/core/event_json.hpp"

#include "xml.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/serializer.hpp>
#include <fmt/compile.h>
#include <fmt/format.h>

#include <chrono>

namespace boshtap::core {

std::string format_timestamp(TimePoint tp)
{
    using namespace std::chrono;
    const auto day = floor<days>(tp);
    const year_month_day ymd{day};
    const hh_mm_ss hms{tp - day};
    const int year = static_cast<int>(ymd.year());
    if (year < 0 || year > 9999) // not a time this clock gives; fmt pads it the same way
        return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", year,
                           static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                           hms.hours().count(), hms.minutes().count(), hms.seconds().count(),
                           hms.subseconds().count());
    // One per event line: the digits are put in place, because a format call (even a compiled
    // one) cost more than every other field of the line together.
    std::string out = "0000-00-00T00:00:00.000Z";
    const auto put = [&out](std::size_t end, long long value) {
        for (auto at = end; value != 0; value /= 10)
            out[--at] = static_cast<char>('0' + value % 10);
    };
    put(4, year);
    put(7, static_cast<unsigned>(ymd.month()));
    put(10, static_cast<unsigned>(ymd.day()));
    put(13, hms.hours().count());
    put(16, hms.minutes().count());
    put(19, hms.seconds().count());
    put(23, hms.subseconds().count());
    return out;
}

namespace {

boost::json::value optional_string(const std::optional<std::string>& s)
{
    if (!s) return nullptr;
    return boost::json::string(*s);
}

// Fields that do not come from parsed XML (an HTTP header, an address, an id) may hold any
// bytes: Beast admits obs-text (0x80-0xFF, RFC 9110 §5.5) in a User-Agent. Valid UTF-8 is kept
// as it is; each byte that does not start a valid sequence becomes U+FFFD, so the line stays
// valid UTF-8 (RFC 8259 §8.1). Control characters need nothing here: Boost.JSON escapes them.
boost::json::string valid_utf8(std::string_view s)
{
    if (xml::is_valid_utf8(s)) return boost::json::string(s);
    boost::json::string out;
    out.reserve(s.size() + 8);
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        // Length announced by the lead byte (0: a continuation byte or never valid).
        const std::size_t len = c < 0x80   ? 1
                                : c < 0xC0 ? 0
                                : c < 0xE0 ? 2
                                : c < 0xF0 ? 3
                                : c < 0xF8 ? 4
                                           : 0;
        if (len != 0 && i + len <= s.size() && xml::is_valid_utf8(s.substr(i, len))) {
            out.append(s.substr(i, len));
            i += len;
        } else {
            out.append("\xEF\xBF\xBD");
            ++i;
        }
    }
    return out;
}

} // namespace

boost::json::object to_json(const Event& e)
{
    boost::json::object o;
    o.reserve(16); // every key below: no rehash while the line is built
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
    o["conn"] = valid_utf8(e.conn.id);
    o["client_ip"] = valid_utf8(e.conn.client_ip);
    o["user_agent"] = valid_utf8(e.conn.user_agent);
    return o;
}

std::string serialize_line(const boost::json::object& o)
{
    // Boost.JSON escapes control characters (newlines included) and quotes, so a line never
    // breaks; the core only admits valid UTF-8 (xml::parse) and to_json repairs the fields that
    // come from elsewhere, so the output is valid UTF-8.
    // Doubles are the one exception to plain boost::json::serialize: Boost 1.81 writes them in
    // E-notation (1.49107E2), valid but unreadable in a log people grep; fmt writes the
    // shortest round-trip decimal (149.107).
    // One serializer appends every key and value to the line through a small buffer: no
    // string per field.
    boost::json::serializer sr;
    char chunk[256];
    std::string line;
    line.reserve(384);
    line += '{';
    const auto append = [&] {
        while (!sr.done()) {
            const auto part = sr.read(chunk, sizeof chunk);
            line.append(part.data(), part.size());
        }
    };
    for (const auto& [key, value] : o) {
        if (line.size() > 1) line += ',';
        sr.reset(key);
        append();
        line += ':';
        if (value.is_double()) {
            fmt::format_to(std::back_inserter(line), FMT_COMPILE("{}"), value.get_double());
            continue;
        }
        sr.reset(&value);
        append();
    }
    line += '}';
    return line;
}

std::string to_json_line(const Event& e)
{
    return serialize_line(to_json(e));
}

} // namespace boshtap::core
