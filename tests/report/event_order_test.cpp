// Rotated files given in any order make one timeline.
#include "log_lines.hpp"

using namespace report_test;

TEST_CASE("events are ordered by ts whatever the file order", "[order]")
{
    // events.1 (older) given after events (newer); a meeting spans the rotation.
    Timeline t;
    t.add({join("10:20:00", "bbbb0002", "Bob"), leave("10:30:00", "aaaa0001", "Alice"),
           leave("10:40:00", "bbbb0002", "Bob")},
          0);
    t.add({join("10:00:00", "aaaa0001", "Alice")}, 1);
    const auto meetings = t.meetings();
    REQUIRE(meetings.size() == 1);
    CHECK(meetings[0].start_known);
    CHECK(meetings[0].start == at("10:00:00"));
    CHECK(meetings[0].end == at("10:40:00"));
    CHECK(named(meetings[0], "Alice").attended == minutes(30));
}

TEST_CASE("equal timestamps at a file boundary keep the written order", "[order]")
{
    // Alice leaves as the last line of the older file, Bob joins in the same millisecond as
    // the first line of the newer one: the room was empty, so these are two meetings.
    Timeline t;
    t.add({join("10:30:00", "bbbb0002", "Bob"), leave("10:40:00", "bbbb0002", "Bob")}, 0);
    t.add({join("10:00:00", "aaaa0001", "Alice"), leave("10:30:00", "aaaa0001", "Alice")}, 1);
    const auto meetings = t.meetings();
    REQUIRE(meetings.size() == 2);
    CHECK(meetings[0].participants[0].names[0] == "Alice");
    CHECK(meetings[1].participants[0].names[0] == "Bob");
}

TEST_CASE("a file given twice counts once", "[order]")
{
    const std::vector<std::string> log = {
        join("10:00:00", "aaaa0001", "Alice"), join("10:00:00", "bbbb0002", "Bob"),
        leave("10:10:00", "aaaa0001", "Alice"), leave("10:20:00", "bbbb0002", "Bob")};
    Timeline t;
    t.add(log, 0);
    t.add(log, 1);
    report::sort_events(t.events);
    CHECK(report::drop_duplicates(t.events) == 4);
    const auto meetings = report::build_meetings(t.events);
    REQUIRE(meetings.size() == 1);
    CHECK(named(meetings[0], "Alice").connections == 1);
    CHECK(named(meetings[0], "Bob").attended == minutes(20));
}
