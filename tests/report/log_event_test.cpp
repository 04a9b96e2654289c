#include "boshtap/app/report/log_event.hpp"

#include <catch2/catch.hpp>

using namespace boshtap::app::report;
using boshtap::core::EventKind;

TEST_CASE("a log line from docs/log-format.md", "[line]")
{
    StringPool pool;
    std::string error;
    const auto e = parse_event_line(
        R"({"ts":"2026-11-25T22:22:39.230Z","event":"leave","room":"Weekly-Sync@muc.meet.jitsi",)"
        R"j("occupant":"3f2a9c1e","nick":"Alice E. (Product)","reason":"left","duration_s":149.107,)j"
        R"("jid":"3f2a9c1e-8b7d-4e21-9a55-0c6d2b1f7e44@meet.jitsi/Kp2xQ9wLmZ","transport":"bosh",)"
        R"("conn":"7c3e9b14","client_ip":"203.0.113.24","user_agent":"Mozilla/5.0"})",
        pool, error);
    REQUIRE(e);
    CHECK(e->kind == EventKind::leave);
    CHECK(*e->room == "weekly-sync@muc.meet.jitsi"); // one spelling per room
    CHECK(*e->occupant == "3f2a9c1e");
    CHECK(*e->nick == "Alice E. (Product)");
    CHECK(e->duration == std::chrono::milliseconds(149'107));
    CHECK(e->jid != nullptr);
    CHECK(e->old_nick == nullptr);
}

TEST_CASE("strings are stored once", "[line]")
{
    StringPool pool;
    const auto* a = pool.intern("Alice");
    CHECK(pool.intern(std::string("Ali") + "ce") == a);
    for (int i = 0; i < 10000; ++i) pool.intern(std::to_string(i)); // growth keeps pointers
    CHECK(*a == "Alice");
    CHECK(pool.intern("Alice") == a);
}

TEST_CASE("null and missing names", "[line]")
{
    StringPool pool;
    std::string error;
    const auto e = parse_event_line(
        R"({"ts":"2026-11-25T22:21:12.512Z","event":"nick_change","room":"r@muc","occupant":"o",)"
        R"("nick":"Bob","old_nick":null})",
        pool, error);
    REQUIRE(e);
    CHECK(e->kind == EventKind::nick_change);
    CHECK(e->old_nick == nullptr);
    CHECK(e->jid == nullptr);
}

TEST_CASE("malformed lines are refused with a reason", "[line]")
{
    StringPool pool;
    const std::string ok_rest = R"("room":"r@muc","occupant":"o","nick":null)";
    const std::vector<std::pair<std::string, std::string>> cases = {
        {R"({"ts":"2026-11-25T22:21:12.512Z","event":"join",)", "not JSON"}, // torn write
        {"[1,2]", "not a JSON object"},
        {R"({"event":"join",)" + ok_rest + "}", "ts"},
        {R"({"ts":"yesterday","event":"join",)" + ok_rest + "}", "ts"},
        {R"({"ts":"2026-11-25T22:21:12Z","event":"kick",)" + ok_rest + "}", "event"},
        {R"({"ts":"2026-11-25T22:21:12Z","event":"join","occupant":"o"})", "room"},
        {R"({"ts":"2026-11-25T22:21:12Z","event":"join","room":"r@muc","occupant":""})",
         "occupant"},
        {R"({"ts":"2026-11-25T22:21:12Z","event":"join","room":"r@muc","occupant":"o","nick":7})",
         "neither"},
        {R"({"ts":"2026-11-25T22:21:12Z","event":"leave",)" + ok_rest + R"(,"duration_s":"x"})",
         "duration_s"},
        {"{\"ts\":\"2026-11-25T22:21:12Z\",\"event\":\"join\",\"room\":\"r@muc\",\"occupant\":"
         "\"o\","
         "\"nick\":\"\xff\"}",
         "not JSON"}, // invalid UTF-8
    };
    for (const auto& [line, reason] : cases) {
        INFO(line);
        std::string error;
        CHECK_FALSE(parse_event_line(line, pool, error));
        CHECK_THAT(error, Catch::Contains(reason));
    }
}
