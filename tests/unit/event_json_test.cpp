// The event log's JSON Lines form (Boost.JSON).
#include "boshtap/core/event_json.hpp"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include <chrono>

using namespace boshtap::core;

namespace {

Event sample(EventKind kind)
{
    using namespace std::chrono;
    Event e;
    e.ts = TimePoint{sys_days{year{2026} / 11 / 25} + hours(22) + minutes(20) + seconds(10) +
                     milliseconds(123)};
    e.kind = kind;
    e.room = "weekly-sync@muc.meet.jitsi";
    e.occupant = "3f2a9c1e";
    e.nick = "Alice";
    e.jid = "alice@meet.jitsi/Kp2";
    e.conn = ConnInfo{"7c3e9b14", Transport::bosh, "203.0.113.24", "Mozilla/5.0"};
    return e;
}

boost::json::object round_trip(const Event& e)
{
    const auto line = to_json_line(e);
    CHECK(line.find('\n') == std::string::npos);
    return boost::json::parse(line).as_object();
}

} // namespace

TEST_CASE("timestamps are RFC 3339 UTC with milliseconds", "[json]")
{
    CHECK(format_timestamp(TimePoint{}) == "1970-01-01T00:00:00.000Z");
    CHECK(format_timestamp(sample(EventKind::join).ts) == "2026-11-25T22:20:10.123Z");
    CHECK(format_timestamp(TimePoint{} + std::chrono::milliseconds(150'006)) ==
          "1970-01-01T00:02:30.006Z");
    using std::chrono::milliseconds;
    CHECK(format_timestamp(TimePoint{} - milliseconds(1)) == "1969-12-31T23:59:59.999Z");
    CHECK(format_timestamp(TimePoint{} + milliseconds(253'402'300'799'999)) ==
          "9999-12-31T23:59:59.999Z");
    // Outside 0000-9999 (no clock here gives it): still every field, zero-padded.
    CHECK(format_timestamp(TimePoint{} + milliseconds(253'402'300'800'000)) ==
          "10000-01-01T00:00:00.000Z");
}

TEST_CASE("join line", "[json]")
{
    auto e = sample(EventKind::join);
    e.source = Source::self;
    const auto o = round_trip(e);
    CHECK(o.at("ts") == "2026-11-25T22:20:10.123Z");
    CHECK(o.at("event") == "join");
    CHECK(o.at("room") == "weekly-sync@muc.meet.jitsi");
    CHECK(o.at("occupant") == "3f2a9c1e");
    CHECK(o.at("nick") == "Alice");
    CHECK(o.at("source") == "self");
    CHECK(o.at("jid") == "alice@meet.jitsi/Kp2");
    CHECK(o.at("transport") == "bosh");
    CHECK(o.at("conn") == "7c3e9b14");
    CHECK(o.at("client_ip") == "203.0.113.24");
    CHECK(o.at("user_agent") == "Mozilla/5.0");
    CHECK_FALSE(o.contains("old_nick"));
    CHECK_FALSE(o.contains("old_occupant"));
    CHECK_FALSE(o.contains("reason"));
    CHECK_FALSE(o.contains("duration_s"));
}

TEST_CASE("nick_change line: old_nick always, old_occupant only when set", "[json]")
{
    auto e = sample(EventKind::nick_change);
    e.nick.reset();
    auto o = round_trip(e);
    CHECK(o.at("nick").is_null());
    CHECK(o.at("old_nick").is_null());
    CHECK_FALSE(o.contains("old_occupant"));
    CHECK_FALSE(o.contains("source"));
    e.old_nick = "Al";
    e.old_occupant = "old-res";
    e.conn.transport = Transport::websocket;
    o = round_trip(e);
    CHECK(o.at("old_nick") == "Al");
    CHECK(o.at("old_occupant") == "old-res");
    CHECK(o.at("transport") == "websocket");
}

TEST_CASE("leave line: reason and duration in seconds", "[json]")
{
    auto e = sample(EventKind::leave);
    e.reason = LeaveReason::room_destroyed;
    e.duration = std::chrono::milliseconds(148'791);
    e.jid.reset();
    const auto o = round_trip(e);
    CHECK(o.at("reason") == "room_destroyed");
    CHECK(o.at("duration_s").is_number());
    CHECK(o.at("duration_s").to_number<double>() == Approx(148.791));
    // a plain decimal, not Boost.JSON's E-notation
    CHECK(to_json_line(e).find(R"("duration_s":148.791)") != std::string::npos);
    CHECK(o.at("jid").is_null());
    CHECK_FALSE(o.contains("source"));
}

TEST_CASE("every leave reason has its name", "[json]")
{
    const auto [reason, name] = GENERATE(table<LeaveReason, const char*>({
        {LeaveReason::left, "left"},
        {LeaveReason::kicked, "kicked"},
        {LeaveReason::banned, "banned"},
        {LeaveReason::removed, "removed"},
        {LeaveReason::room_destroyed, "room_destroyed"},
        {LeaveReason::switch_room, "switch_room"},
        {LeaveReason::timeout, "timeout"},
        {LeaveReason::terminated, "terminated"},
        {LeaveReason::disconnected, "disconnected"},
        {LeaveReason::unobserved, "unobserved"},
        {LeaveReason::shutdown, "shutdown"},
    }));
    auto e = sample(EventKind::leave);
    e.reason = reason;
    CHECK(round_trip(e).at("reason") == name);
}

TEST_CASE("hostile nicks stay one valid JSON line", "[json]")
{
    const auto nick = GENERATE(as<std::string>{}, "line\nbreak\r\n", "quote \" and \\ backslash",
                               "<script>&amp;</script>", "emoji \xF0\x9F\x98\x80",
                               "RTL \xE2\x80\xAE\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D",
                               std::string("ctl \x01\x1F\x7F\0end", 11), "\t", "");
    auto e = sample(EventKind::nick_change);
    e.nick = nick;
    e.old_nick = nick;
    const auto line = to_json_line(e);
    CHECK(line.find('\n') == std::string::npos);
    CHECK(line.find('\r') == std::string::npos);
    const auto o = boost::json::parse(line).as_object();
    CHECK(std::string_view(o.at("nick").as_string()) == nick);
    CHECK(std::string_view(o.at("old_nick").as_string()) == nick);
}

TEST_CASE("fields from outside the XML are repaired to valid UTF-8", "[json]")
{
    // Beast passes obs-text (0x80-0xFF) in header values through; the line must stay UTF-8.
    const auto [raw, expected] = GENERATE(table<std::string, std::string>({
        {"Mozilla/5.0", "Mozilla/5.0"},
        {"caf\xC3\xA9 \xF0\x9F\x98\x80", "caf\xC3\xA9 \xF0\x9F\x98\x80"},
        {"UA \xFF\xFE", "UA \xEF\xBF\xBD\xEF\xBF\xBD"},
        {"overlong \xC0\xAF", "overlong \xEF\xBF\xBD\xEF\xBF\xBD"},
        {"surrogate \xED\xA0\x80!", "surrogate \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD!"},
        {"cut \xE2\x82", "cut \xEF\xBF\xBD\xEF\xBF\xBD"},
        {"latin1 \xE9t\xE9", "latin1 \xEF\xBF\xBDt\xEF\xBF\xBD"},
        {std::string("nul \0 ctl \x01", 11), std::string("nul \0 ctl \x01", 11)},
    }));
    auto e = sample(EventKind::join);
    e.conn.user_agent = raw;
    e.conn.client_ip = raw;
    e.conn.id = raw;
    const auto o = round_trip(e); // boost::json::parse refuses invalid UTF-8
    CHECK(std::string_view(o.at("user_agent").as_string()) == expected);
    CHECK(std::string_view(o.at("client_ip").as_string()) == expected);
    CHECK(std::string_view(o.at("conn").as_string()) == expected);
}
