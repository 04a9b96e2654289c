#include "boshtap/app/report/log_event.hpp"

#include "boshtap/app/report/timestamp.hpp"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>

#include <cmath>

namespace boshtap::app::report {

const std::string* StringPool::intern(std::string_view s)
{
    if (const auto it = index_.find(s); it != index_.end()) return it->second;
    const std::string& stored = storage_.emplace_back(s);
    index_.emplace(stored, &stored);
    return &stored;
}

namespace {

namespace json = boost::json;

std::optional<core::EventKind> kind_of(std::string_view s)
{
    if (s == "join") return core::EventKind::join;
    if (s == "nick_change") return core::EventKind::nick_change;
    if (s == "leave") return core::EventKind::leave;
    return std::nullopt;
}

// A field that must be a string or null (or absent). False if it has another type.
bool optional_string(const json::object& o, std::string_view key, StringPool& pool,
                     const std::string*& out)
{
    const auto* v = o.if_contains(key);
    if (!v || v->is_null()) return true;
    if (!v->is_string()) return false;
    out = pool.intern(v->get_string());
    return true;
}

const json::string* required_string(const json::object& o, std::string_view key)
{
    const auto* v = o.if_contains(key);
    if (!v || !v->is_string() || v->get_string().empty()) return nullptr;
    return &v->get_string();
}

} // namespace

std::optional<LogEvent> parse_event_line(std::string_view line, StringPool& pool,
                                         std::string& error)
{
    // Lines are small: parse into a stack buffer, no heap traffic per line.
    unsigned char buffer[4096];
    json::monotonic_resource memory(buffer, sizeof buffer);
    boost::system::error_code ec;
    const json::value doc = json::parse(line, ec, &memory);
    if (ec) {
        error = "not JSON";
        return std::nullopt;
    }
    const auto* o = doc.if_object();
    if (!o) {
        error = "not a JSON object";
        return std::nullopt;
    }

    LogEvent e;
    const auto* ts = required_string(*o, "ts");
    const auto parsed_ts = ts ? parse_rfc3339(*ts) : std::nullopt;
    if (!parsed_ts) {
        error = "no valid \"ts\"";
        return std::nullopt;
    }
    e.ts = *parsed_ts;
    const auto* kind = required_string(*o, "event");
    const auto parsed_kind = kind ? kind_of(*kind) : std::nullopt;
    if (!parsed_kind) {
        error = "\"event\" is not join, nick_change or leave";
        return std::nullopt;
    }
    e.kind = *parsed_kind;
    const auto* room = required_string(*o, "room");
    const auto* occupant = required_string(*o, "occupant");
    if (!room || !occupant) {
        error = room ? "no \"occupant\"" : "no \"room\"";
        return std::nullopt;
    }
    // Room JIDs compare case-insensitively (nodeprep, nameprep): one spelling per room.
    std::string room_key(room->begin(), room->end());
    for (auto& c : room_key)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    e.room = pool.intern(room_key);
    e.occupant = pool.intern(*occupant);
    if (!optional_string(*o, "nick", pool, e.nick) ||
        !optional_string(*o, "old_nick", pool, e.old_nick) ||
        !optional_string(*o, "old_occupant", pool, e.old_occupant) ||
        !optional_string(*o, "jid", pool, e.jid)) {
        error = "a name or JID field is neither a string nor null";
        return std::nullopt;
    }
    if (const auto* d = o->if_contains("duration_s"); d && e.kind == core::EventKind::leave) {
        boost::system::error_code number_ec;
        const double seconds = d->to_number<double>(number_ec);
        if (number_ec || !std::isfinite(seconds) || seconds < 0 || seconds > 1e9) {
            error = "\"duration_s\" is not a number of seconds";
            return std::nullopt;
        }
        e.duration = core::Duration{std::llround(seconds * 1000.0)};
    }
    return e;
}

} // namespace boshtap::app::report
