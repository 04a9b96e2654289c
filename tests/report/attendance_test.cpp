// The meeting and merge rules of docs/report.md, on hand-written logs of known attendance.
#include "log_lines.hpp"

using namespace report_test;
using report::Meeting;

TEST_CASE("a meeting runs from the first join into an empty room to the last leave", "[attendance]")
{
    const auto meetings = meetings_of({
        join("10:00:00", "aaaa0001", "Alice"),
        join("10:05:00", "bbbb0002", "Bob"),
        leave("10:30:00", "bbbb0002", "Bob", 1500),
        leave("10:40:00", "aaaa0001", "Alice", 2400),
    });
    REQUIRE(meetings.size() == 1);
    const auto& m = meetings[0];
    CHECK(m.room == room);
    CHECK(m.start == at("10:00:00"));
    CHECK(m.end == at("10:40:00"));
    CHECK(m.start_known);
    CHECK_FALSE(m.open);
    REQUIRE(m.participants.size() == 2);
    CHECK(m.participants[0].names == std::vector<std::string>{"Alice"});
    CHECK(m.participants[0].attended == minutes(40));
    CHECK(m.participants[1].names == std::vector<std::string>{"Bob"});
    CHECK(m.participants[1].first_join == at("10:05:00"));
    CHECK(m.participants[1].last_leave == at("10:30:00"));
    CHECK(m.participants[1].attended == minutes(25));
    CHECK(m.participants[1].connections == 1);
}

TEST_CASE("an empty room ends the meeting; the next join starts another", "[attendance]")
{
    const auto meetings = meetings_of({
        join("09:00:00", "aaaa0001", "Alice"),
        leave("09:30:00", "aaaa0001", "Alice"),
        join("11:00:00", "bbbb0002", "Bob"),
        leave("11:10:00", "bbbb0002", "Bob"),
        in_room(join("09:10:00", "cccc0003", "Carol"), "other@muc.meet.jitsi"),
        in_room(leave("12:00:00", "cccc0003", "Carol"), "other@muc.meet.jitsi"),
    });
    REQUIRE(meetings.size() == 3);
    CHECK(meetings[0].start == at("09:00:00"));
    CHECK(meetings[0].end == at("09:30:00"));
    CHECK(meetings[1].room == "other@muc.meet.jitsi"); // meetings in order of start
    CHECK(meetings[2].start == at("11:00:00"));
    CHECK(meetings[2].participants.size() == 1);
}

TEST_CASE("a reload without JID is merged by display name", "[attendance][merge]")
{
    const auto meetings = meetings_of({
        join("10:00:00", "bbbb0002", "Bob"),
        join("10:01:00", "aaaa0001", "Alice"),
        leave("10:10:00", "aaaa0001", "Alice"),
        join("10:11:00", "aaaa0003", "Alice"), // the page reloaded: a new occupant
        leave("10:20:00", "aaaa0003", "Alice"),
        leave("10:30:00", "bbbb0002", "Bob"),
    });
    REQUIRE(meetings.size() == 1);
    REQUIRE(meetings[0].participants.size() == 2);
    const auto& alice = named(meetings[0], "Alice");
    CHECK(alice.connections == 2);
    CHECK(alice.first_join == at("10:01:00"));
    CHECK(alice.last_leave == at("10:20:00"));
    CHECK(alice.attended == minutes(18));
    CHECK_FALSE(alice.jid);
}

TEST_CASE("overlapping connections of one JID count once", "[attendance][merge]")
{
    // Laptop and phone of the same account, overlapping 10:15-10:20, with different names.
    const auto meetings = meetings_of({
        join("10:00:00", "aaaa0001", "Alice", "alice@example.org/laptop"),
        join("10:15:00", "aaaa0002", "Alice (phone)", "Alice@Example.org/phone"),
        leave("10:20:00", "aaaa0001", "Alice"),
        leave("10:30:00", "aaaa0002", "Alice (phone)"),
    });
    REQUIRE(meetings.size() == 1);
    REQUIRE(meetings[0].participants.size() == 1);
    const auto& p = meetings[0].participants[0];
    CHECK(p.jid == "alice@example.org");
    CHECK(p.names == std::vector<std::string>{"Alice", "Alice (phone)"});
    CHECK(p.connections == 2);
    CHECK(p.attended == minutes(30)); // the union, not 20 + 15
}

TEST_CASE("same name, different JIDs: two people", "[attendance][merge]")
{
    const auto meetings = meetings_of({
        join("10:00:00", "aaaa0001", "Sam", "sam.smith@example.org/a"),
        join("10:01:00", "aaaa0002", "Sam", "sam.jones@example.org/b"),
        leave("10:02:00", "aaaa0001", "Sam"),
        leave("10:03:00", "aaaa0002", "Sam"),
    });
    REQUIRE(meetings.size() == 1);
    CHECK(meetings[0].participants.size() == 2);
}

TEST_CASE("anonymous (random UUID) JIDs do not identify people: the name does",
          "[attendance][merge]")
{
    CHECK(report::is_anonymous_jid("3f2a9c1e-8b7d-4e21-9a55-0c6d2b1f7e44@meet.jitsi"));
    CHECK_FALSE(report::is_anonymous_jid("alice@meet.jitsi"));
    CHECK_FALSE(report::is_anonymous_jid("3f2a9c1e-8b7d-4e21-9a55-0c6d2b1f7e4x@meet.jitsi"));

    const auto meetings = meetings_of({
        join("10:00:00", "3f2a9c1e", "Dana", "3f2a9c1e-8b7d-4e21-9a55-0c6d2b1f7e44@meet.jitsi/x"),
        join("10:04:00", "77aa0b12", "Dana", "77aa0b12-1111-4e21-9a55-0c6d2b1f7e44@meet.jitsi/y"),
        leave("10:05:00", "3f2a9c1e", "Dana"),
        join("10:06:00", "99aa0b12", "Eve", "99aa0b12-2222-4e21-9a55-0c6d2b1f7e44@meet.jitsi/z"),
        leave("10:10:00", "77aa0b12", "Dana"),
        leave("10:10:00", "99aa0b12", "Eve"),
    });
    REQUIRE(meetings.size() == 1);
    REQUIRE(meetings[0].participants.size() == 2);
    const auto& dana = named(meetings[0], "Dana");
    CHECK(dana.connections == 2);
    CHECK(dana.attended == minutes(10));
    CHECK_FALSE(dana.jid);
}

TEST_CASE("names: every display name used, in order; a rename links reloads", "[attendance][merge]")
{
    const auto meetings = meetings_of({
        join("09:59:00", "cccc0003", std::nullopt),
        join("09:59:30", "dddd0004", std::nullopt), // two nameless guests: never merged
        join("10:00:00", "aaaa0001", std::nullopt),
        rename("10:01:00", "aaaa0001", std::nullopt, "Al"),
        rename("10:02:00", "aaaa0001", "Al", "Alice"),
        leave("10:03:00", "aaaa0001", "Alice"),
        join("10:04:00", "aaaa0002", "Alice"), // the reload keeps the last name
        leave("10:05:00", "aaaa0002", "Alice"),
        leave("10:06:00", "cccc0003", std::nullopt),
        leave("10:06:00", "dddd0004", std::nullopt),
    });
    REQUIRE(meetings.size() == 1);
    REQUIRE(meetings[0].participants.size() == 3);
    CHECK(meetings[0].participants[0].names.empty());
    CHECK(meetings[0].participants[1].names.empty());
    const auto& al = meetings[0].participants[2];
    CHECK(al.names == std::vector<std::string>{"Al", "Alice"});
    CHECK(al.connections == 2);
    CHECK(al.attended == minutes(4));
}

TEST_CASE("a MUC nickname change (303) keeps the connection", "[attendance]")
{
    report_test::Line moved{"10:05:00", "nick_change", "alicia", "Alicia"};
    moved.old_nick = "Alice";
    moved.old_occupant = "alice";
    const auto meetings = meetings_of({
        join("10:00:00", "alice", "Alice"),
        text(moved),
        leave("10:10:00", "alicia", "Alicia"),
    });
    REQUIRE(meetings.size() == 1);
    CHECK_FALSE(meetings[0].open);
    REQUIRE(meetings[0].participants.size() == 1);
    CHECK(meetings[0].participants[0].names == std::vector<std::string>{"Alice", "Alicia"});
    CHECK(meetings[0].participants[0].connections == 1);
    CHECK(meetings[0].participants[0].attended == minutes(10));
}

TEST_CASE("occupants still present at the end of the input are open", "[attendance][open]")
{
    const auto meetings = meetings_of({
        join("10:00:00", "aaaa0001", "Alice"), join("10:10:00", "bbbb0002", "Bob"),
        leave("10:20:00", "bbbb0002", "Bob"),
        in_room(join("10:45:00", "cccc0003", "Carol"), "other@muc.meet.jitsi"), // last ts seen
    });
    REQUIRE(meetings.size() == 2);
    const auto& m = meetings[0];
    CHECK(m.open);
    CHECK(m.end == at("10:45:00"));
    const auto& alice = named(m, "Alice");
    CHECK(alice.open());
    CHECK_FALSE(alice.last_leave);
    CHECK(alice.attended == minutes(45)); // up to the last timestamp of the input
    CHECK_FALSE(named(m, "Bob").open());
    CHECK(meetings[1].open);
    CHECK(meetings[1].participants[0].attended == minutes(0));
}

TEST_CASE("a log that starts mid-meeting: start unknown, one meeting", "[attendance][partial]")
{
    // Xavier and Zoe joined before the input begins. Between 10:20 and 10:30 everyone seen
    // joining has left, yet Zoe is still there: the meeting goes on.
    report_test::Line zoe_rename{"10:02:00", "nick_change", "zzzz0026", "Zoe (host)"};
    zoe_rename.old_nick = "Zoe";
    const auto meetings = meetings_of({
        text(zoe_rename),
        leave("10:05:00", "xxxx0024", "Xavier", 600.0), // joined at 09:55, says duration_s
        join("10:10:00", "yyyy0025", "Yann"), leave("10:20:00", "yyyy0025", "Yann"),
        leave("10:30:00", "zzzz0026", "Zoe (host)"), // no duration_s: the join is not known
    });
    REQUIRE(meetings.size() == 1);
    const auto& m = meetings[0];
    CHECK_FALSE(m.start_known);
    CHECK(m.start == at("09:55:00")); // the earliest moment known
    CHECK(m.end == at("10:30:00"));
    REQUIRE(m.participants.size() == 3);

    const auto& xavier = named(m, "Xavier");
    CHECK(xavier.first_join == at("09:55:00"));
    CHECK(xavier.first_join_known);
    CHECK(xavier.attended == minutes(10));

    const auto& zoe = named(m, "Zoe");
    CHECK(zoe.names == std::vector<std::string>{"Zoe", "Zoe (host)"});
    CHECK_FALSE(zoe.first_join_known);
    CHECK(zoe.first_join == at("10:02:00")); // the start of the input
    CHECK(zoe.attended == minutes(28));

    CHECK(named(m, "Yann").first_join_known);
}

TEST_CASE("events of a missing middle file: the occupant appears without a join",
          "[attendance][partial]")
{
    const auto meetings = meetings_of({
        join("09:00:00", "aaaa0001", "Alice"),
        leave("09:10:00", "aaaa0001", "Alice"),
        rename("11:00:00", "bbbb0002", "Bob", "Robert"), // Bob's join was in the lost file
        leave("11:30:00", "bbbb0002", "Robert", 3600.0),
    });
    REQUIRE(meetings.size() == 2);
    CHECK(meetings[0].start_known);
    CHECK_FALSE(meetings[1].start_known);
    CHECK(meetings[1].participants[0].first_join == at("10:30:00"));
    CHECK(meetings[1].participants[0].attended == minutes(60));
}

TEST_CASE("a join for an occupant that never left ends its previous connection", "[attendance]")
{
    const auto meetings = meetings_of({
        join("10:00:00", "aaaa0001", "Alice"),
        join("10:10:00", "aaaa0001", "Alice"),
        leave("10:20:00", "aaaa0001", "Alice"),
    });
    REQUIRE(meetings.size() == 1);
    CHECK_FALSE(meetings[0].open);
    CHECK(meetings[0].participants[0].connections == 2);
    CHECK(meetings[0].participants[0].attended == minutes(20));
}

TEST_CASE("room JIDs compare without case", "[attendance]")
{
    const auto meetings = meetings_of({
        join("10:00:00", "aaaa0001", "Alice"),
        in_room(leave("10:10:00", "aaaa0001", "Alice"), "Weekly-Sync@MUC.meet.jitsi"),
    });
    REQUIRE(meetings.size() == 1);
    CHECK_FALSE(meetings[0].open);
}
