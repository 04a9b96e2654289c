// Tracker semantics (docs/architecture.md): self detection under reordering, the authoritative
// stream, first unavailable wins, tombstones, 303 renames, unobserved, connection end.
#include "boshtap/core/tracker.hpp"
#include "test_support.hpp"
#include "xml.hpp"

#include <catch2/catch.hpp>

using namespace boshtap::core;
using namespace boshtap::test;
using Catch::Matchers::Equals;

namespace {

constexpr const char* room = "r@muc.example";

std::string occ(const char* resource)
{
    return std::string(room) + "/" + resource;
}

struct Harness {
    Tracker tracker;
    Events out;

    Harness()
    {
        for (const char* c : {"A", "B", "C"})
            tracker.open_conn(ConnInfo{c, Transport::bosh, std::string("ip-") + c, "ua"});
    }

    void server(const char* conn, const std::string& stanza, double t = 1)
    {
        pugi::xml_document doc;
        REQUIRE(xml::parse(stanza, doc));
        tracker.server_stanza(conn, doc.document_element(), at(t), out);
    }
    void client(const char* conn, const std::string& stanza, double t = 1)
    {
        pugi::xml_document doc;
        REQUIRE(xml::parse(stanza, doc));
        tracker.client_stanza(conn, doc.document_element(), at(t), out);
    }
    // The server's self-presence (110) for `resource` on conn: the join is confirmed.
    void self_presence(const char* conn, const char* resource, const char* nick, double t = 1)
    {
        server(conn,
               Presence(occ(resource))
                   .nick(nick)
                   .jid(std::string(resource) + "@example/x")
                   .codes({110})
                   .str(),
               t);
    }
    // Conn joins as `resource` and gets its own self-presence.
    void join_self(const char* conn, const char* resource, const char* nick, double t = 1)
    {
        client(conn, join_request(occ(resource), nick), t);
        self_presence(conn, resource, nick, t);
    }
    std::vector<std::string> take()
    {
        auto d = describe(out);
        out.clear();
        return d;
    }
};

Presence avail(const char* resource, const char* nick)
{
    return Presence(occ(resource)).nick(nick).jid(std::string(resource) + "@example/x");
}

Presence gone(const char* resource)
{
    return Presence(occ(resource)).type("unavailable");
}

} // namespace

TEST_CASE("a client join request alone logs nothing, the server's self-presence does", "[tracker]")
{
    Harness h;
    h.client("A", join_request(occ("alice"), "Alice"));
    CHECK(h.out.empty());
    h.server("A", Presence(occ("alice")).nick("Alice").codes({110}).str());
    REQUIRE(h.out.size() == 1);
    CHECK(h.out[0].source == Source::self);
    CHECK(h.out[0].conn.id == "A");
    CHECK(h.out[0].conn.client_ip == "ip-A");
    CHECK(h.out[0].nick == "Alice");
}

TEST_CASE("an error presence is no join and ends the pending join", "[tracker]")
{
    Harness h;
    h.client("A", join_request(occ("alice"), "Alice"));
    h.server("A",
             "<presence xmlns='jabber:client' type='error' from='" + occ("alice") +
                 "'><error type='auth'/><x xmlns='http://jabber.org/protocol/muc'/></presence>");
    CHECK(h.out.empty());
    CHECK(h.tracker.open_rooms() == 0);
    // Nor does a later broadcast on that stream count: it is not in the room.
    h.server("A", avail("bob", "Bob").str());
    CHECK(h.out.empty());
}

TEST_CASE("self even when another member's copy of the join comes first", "[tracker]")
{
    Harness h;
    h.join_self("A", "alice", "Alice");
    h.take();
    SECTION("by the pending join")
    {
        h.client("B", join_request(occ("bob"), "Bob"), 2);
        h.server("A", avail("bob", "Bob").str(), 2.1); // A's copy first, no 110
        h.self_presence("B", "bob", "Bob", 2.2);
    }
    SECTION("by the bound JID")
    {
        h.tracker.set_bound_jid("B", "bob@example/x");
        h.server("A", avail("bob", "Bob").str(), 2.1);
    }
    REQUIRE(h.out.size() == 1);
    CHECK(h.out[0].occupant == "bob");
    CHECK(h.out[0].source == Source::self);
    CHECK(h.out[0].conn.id == "B");
    CHECK(h.out[0].jid == "bob@example/x");
}

TEST_CASE("only the authoritative stream drives nick changes", "[tracker]")
{
    Harness h;
    h.join_self("A", "alice", "Alice");
    h.join_self("B", "bob", "Bob");
    h.server("A", avail("carol", "Carol").str(), 2); // A observes Carol first: authoritative
    h.server("B", avail("carol", "Carol").str(), 2);
    h.take();
    // Two quick renames. Every stream shows the server's broadcasts in order, but B's stream
    // lags behind A's: its copies of both come after A's, or interleaved with them.
    SECTION("lagging")
    {
        h.server("A", avail("carol", "C1").str(), 3);
        h.server("A", avail("carol", "C2").str(), 3);
        h.server("B", avail("carol", "C1").str(), 3);
        h.server("B", avail("carol", "C2").str(), 3);
    }
    SECTION("interleaved")
    {
        h.server("A", avail("carol", "C1").str(), 3);
        h.server("B", avail("carol", "C1").str(), 3);
        h.server("A", avail("carol", "C2").str(), 3);
        h.server("B", avail("carol", "C2").str(), 3);
    }
    CHECK_THAT(h.take(),
               Equals(std::vector<std::string>{"nick_change r@muc.example/carol Carol->C1",
                                               "nick_change r@muc.example/carol C1->C2"}));
    // Bob's own stream is authoritative for Bob: A's copies do not count.
    h.server("A", avail("bob", "Robert").str(), 4);
    CHECK(h.out.empty());
    h.server("B", Presence(occ("bob")).nick("Robert").codes({110}).str(), 4);
    CHECK_THAT(h.take(),
               Equals(std::vector<std::string>{"nick_change r@muc.example/bob Bob->Robert"}));
}

TEST_CASE("an observed occupant's rename counts when its first observer's stream has died",
          "[tracker]")
{
    Harness h;
    h.join_self("A", "alice", "Alice");
    h.join_self("B", "bob", "Bob");
    h.server("A", avail("tel", "Tel Old").str(), 2); // A saw the phone first
    h.server("B", avail("tel", "Tel Old").str(), 2);
    h.take();
    // A's client vanished: the server still has it in the room, its stream shows nothing more.
    h.server("B", avail("tel", "Tel New").str(), 3);
    CHECK_THAT(h.take(), Equals(std::vector<std::string>{
                             "nick_change r@muc.example/tel Tel Old->Tel New"}));
    h.server("B", avail("tel", "Tel Newer").str(), 4); // B now leads
    CHECK(h.take().size() == 1);
    // If A was only slow, its late copies match what was logged or lag behind it: no events.
    h.server("A", avail("tel", "Tel New").str(), 5);
    h.server("A", avail("tel", "Tel Newer").str(), 5);
    CHECK(h.out.empty());
    h.server("B", gone("tel").str(), 6);
    REQUIRE(h.out.size() == 1);
    CHECK(h.out[0].nick == "Tel Newer");
}

TEST_CASE("a nameless observed occupant's first name counts on another stream too", "[tracker]")
{
    Harness h;
    h.join_self("A", "alice", "Alice");
    h.join_self("B", "bob", "Bob");
    h.server("A", Presence(occ("tel")).jid("tel@example/x").str(), 2); // no <nick>
    h.server("B", Presence(occ("tel")).jid("tel@example/x").str(), 2);
    h.take();
    h.server("B", avail("tel", "Quinn").str(), 3); // A's stream shows nothing more
    CHECK_THAT(h.take(), Equals(std::vector<std::string>{
                             "nick_change r@muc.example/tel null->Quinn"}));
}

TEST_CASE("a copy without <nick> keeps the name, the own echo without <nick> clears it",
          "[tracker]")
{
    Harness h;
    h.join_self("A", "alice", "Alice");
    h.server("A", avail("carol", "Carol").str(), 2);
    h.take();
    h.server("A", Presence(occ("carol")).str(), 3);              // hidden name on another's stream
    h.server("A", Presence(occ("alice")).codes({110}).str(), 4); // own echo, no <nick>
    CHECK_THAT(h.take(),
               Equals(std::vector<std::string>{"nick_change r@muc.example/alice Alice->null"}));
    h.server("A", Presence(occ("alice")).nick("Al").codes({110}).str(), 5);
    CHECK_THAT(h.take(),
               Equals(std::vector<std::string>{"nick_change r@muc.example/alice null->Al"}));
}

TEST_CASE("the first unavailable wins, on any member's stream", "[tracker]")
{
    Harness h;
    h.join_self("A", "alice", "Alice");
    h.join_self("B", "bob", "Bob");
    h.server("A", avail("carol", "Carol").str(), 2);
    h.take();
    h.server("B", Presence(occ("carol")).type("unavailable").codes({307}).str(), 10);
    h.server("A", gone("carol").str(), 10.5);
    REQUIRE(h.out.size() == 1);
    CHECK(h.out[0].reason == LeaveReason::kicked);
    CHECK(h.out[0].duration == std::chrono::seconds(8));
    CHECK(h.out[0].nick == "Carol");
}

TEST_CASE("tombstones: a lagging stream does not re-create a departed occupant", "[tracker]")
{
    Harness h;
    h.join_self("A", "alice", "Alice");
    h.join_self("B", "bob", "Bob");
    h.server("A", avail("carol", "Carol").str(), 2);
    h.take();
    h.server("A", gone("carol").str(), 5);
    h.server("B", avail("carol", "Carol (muted)").str(), 5.1); // older copy still in flight
    h.server("B", gone("carol").str(), 5.2);
    CHECK_THAT(h.take(), Equals(std::vector<std::string>{"leave r@muc.example/carol left"}));
    // After B's stream caught up, the same resource may join again (breakout return).
    h.server("B", avail("carol", "Carol").str(), 9);
    h.server("A", avail("carol", "Carol").str(), 9.1);
    CHECK_THAT(h.take(), Equals(std::vector<std::string>{"join r@muc.example/carol observed"}));
}

TEST_CASE("a stream that left the room ignores its stale copies", "[tracker]")
{
    Harness h;
    h.join_self("A", "alice", "Alice");
    h.server("A", Presence(occ("alice")).type("unavailable").codes({110}).str(), 3);
    h.take();
    h.server("A", avail("carol", "Carol").str(), 3.1);
    CHECK(h.out.empty());
    CHECK(h.tracker.open_rooms() == 0);
}

TEST_CASE("303 MUC nickname change moves the occupant", "[tracker]")
{
    Harness h;
    h.join_self("A", "alice", "Alice");
    h.join_self("B", "bob", "Bob");
    h.server("A", avail("carol", "Carol").str(), 2);
    h.take();
    const auto rename = Presence(occ("carol")).type("unavailable").item_nick("carla").codes({303});
    // B (not authoritative) sees it first: still the first copy wins.
    h.server("B", rename.str(), 3);
    h.server("B", avail("carla", "Carol").str(), 3);
    h.server("A", rename.str(), 3.1);
    h.server("A", avail("carla", "Carol").str(), 3.1);
    REQUIRE(h.out.size() == 1);
    CHECK(h.out[0].kind == EventKind::nick_change);
    CHECK(h.out[0].occupant == "carla");
    CHECK(h.out[0].old_occupant == "carol");
    CHECK(h.out[0].nick == "Carol");
    h.take();
    h.server("A", gone("carla").str(), 4);
    CHECK_THAT(h.take(), Equals(std::vector<std::string>{"leave r@muc.example/carla left"}));
    // The own occupant can be renamed too; its connection follows it.
    h.server("A",
             Presence(occ("alice")).type("unavailable").item_nick("ally").codes({303, 110}).str(),
             5);
    h.server("A", Presence(occ("ally")).nick("Alice").codes({110}).str(), 5);
    h.tracker.close_conn("A", LeaveReason::terminated, at(6), h.out);
    CHECK_THAT(h.take(),
               Equals(std::vector<std::string>{"nick_change r@muc.example/ally Alice->Alice",
                                               "leave r@muc.example/ally terminated"}));
}

TEST_CASE("unobserved: the last member leaving closes the observed occupants in join order",
          "[tracker]")
{
    Harness h;
    h.join_self("A", "alice", "Alice");
    h.server("A", avail("zed", "Zed").str(), 2);
    h.server("A", avail("amy", "Amy").str(), 2);
    h.take();
    h.server("A", Presence(occ("alice")).type("unavailable").codes({110}).str(), 9);
    CHECK_THAT(h.take(), Equals(std::vector<std::string>{"leave r@muc.example/alice left",
                                                         "leave r@muc.example/zed unobserved",
                                                         "leave r@muc.example/amy unobserved"}));
    CHECK(h.tracker.open_occupants() == 0);
}

TEST_CASE("observations pass to another member when the observer leaves", "[tracker]")
{
    Harness h;
    h.join_self("A", "alice", "Alice");
    h.join_self("B", "bob", "Bob");
    h.server("A", avail("carol", "Carol").str(), 2);
    h.server("B", avail("carol", "Carol").str(), 2);
    h.take();
    h.tracker.close_conn("A", LeaveReason::timeout, at(5), h.out);
    CHECK_THAT(h.take(), Equals(std::vector<std::string>{"leave r@muc.example/alice timeout"}));
    h.server("B", gone("alice").str(), 5.5); // the server's own leave for Alice, later
    h.server("B", avail("carol", "Caroline").str(), 6);
    CHECK_THAT(h.take(),
               Equals(std::vector<std::string>{"nick_change r@muc.example/carol Carol->Caroline"}));
    CHECK(h.out.empty());
}

TEST_CASE("connection end: own occupants leave with the reason, then unobserved", "[tracker]")
{
    Harness h;
    h.join_self("A", "alice", "Alice");
    h.server("A", avail("carol", "Carol").str(), 2);
    h.take();
    h.tracker.close_conn("A", LeaveReason::terminated, at(7.5), h.out);
    CHECK_THAT(h.take(), Equals(std::vector<std::string>{"leave r@muc.example/alice terminated",
                                                         "leave r@muc.example/carol unobserved"}));
    CHECK(h.tracker.open_conns() == 2);
    CHECK(h.tracker.open_rooms() == 0);
}

TEST_CASE("the focus is not a participant", "[tracker]")
{
    Harness h;
    h.join_self("A", "alice", "Alice");
    h.take();
    h.server("A", Presence(occ("focus")).jid("focus@auth.example/focus").str());
    h.server("A", Presence(occ("a1b2")).jid("focus@auth.example/other").str());
    CHECK(h.out.empty());
}

TEST_CASE("presence without muc#user is not occupant presence", "[tracker]")
{
    Harness h;
    h.join_self("A", "alice", "Alice");
    h.take();
    h.server("A", "<presence xmlns='jabber:client' from='" + occ("bob") +
                      "'><nick xmlns='http://jabber.org/protocol/nick'>Bob</nick></presence>");
    CHECK(h.out.empty());
}

TEST_CASE("the event jid falls back to the own connection's bound JID", "[tracker]")
{
    Harness h;
    h.tracker.set_bound_jid("A", "alice@example/res");
    h.client("A", join_request(occ("alice")));
    h.server("A", Presence(occ("alice")).codes({110}).str(), 2);
    REQUIRE(h.out.size() == 1);
    CHECK(h.out[0].jid == "alice@example/res");
    CHECK_FALSE(h.out[0].nick);
}

TEST_CASE("move_conn continues the occupants on the new connection", "[tracker]")
{
    Harness h;
    h.join_self("A", "alice", "Alice");
    h.server("A", avail("carol", "Carol").str(), 2);
    h.take();
    h.tracker.open_conn(ConnInfo{"A2", Transport::websocket, "ip-A2", "ua2"});
    h.tracker.move_conn("A", "A2");
    h.tracker.close_conn("A", LeaveReason::disconnected, at(3), h.out);
    CHECK(h.out.empty());
    h.server("A2", avail("carol", "Caro").str(), 4);
    h.tracker.close_conn("A2", LeaveReason::terminated, at(5), h.out);
    CHECK_THAT(describe(h.out),
               Equals(std::vector<std::string>{"nick_change r@muc.example/carol Carol->Caro",
                                               "leave r@muc.example/alice terminated",
                                               "leave r@muc.example/carol unobserved"}));
    CHECK(h.out[1].conn.id == "A2");
    CHECK(h.out[1].conn.client_ip == "ip-A2");
}

TEST_CASE("shutdown closes every open occupant", "[tracker]")
{
    Harness h;
    h.join_self("A", "alice", "Alice");
    h.server("A", avail("carol", "Carol").str(), 2);
    h.take();
    h.tracker.shutdown(at(10), h.out);
    CHECK_THAT(h.take(), Equals(std::vector<std::string>{"leave r@muc.example/alice shutdown",
                                                         "leave r@muc.example/carol shutdown"}));
    CHECK(h.tracker.open_occupants() == 0);
}

TEST_CASE("the rooms view lists occupants in join order with their connections", "[tracker]")
{
    Harness h;
    h.join_self("A", "alice", "Alice", 1);
    h.server("A", avail("carol", "Carol").str(), 2); // observed on A
    h.join_self("B", "bob", "Bob", 3);
    const auto rooms = h.tracker.rooms();
    REQUIRE(rooms.size() == 1);
    CHECK(rooms[0].room == room);
    REQUIRE(rooms[0].occupants.size() == 3);
    CHECK(rooms[0].occupants[0].occupant == "alice");
    CHECK(rooms[0].occupants[0].source == Source::self);
    CHECK(rooms[0].occupants[0].conn.id == "A");
    CHECK(rooms[0].occupants[1].occupant == "carol");
    CHECK(rooms[0].occupants[1].source == Source::observed);
    CHECK(rooms[0].occupants[1].nick == "Carol");
    CHECK(rooms[0].occupants[2].occupant == "bob");
    CHECK(rooms[0].occupants[2].conn.client_ip == "ip-B");
    CHECK(rooms[0].occupants[2].joined == at(3));
    h.server("A", gone("carol").str(), 4);
    CHECK(h.tracker.rooms()[0].occupants.size() == 2);
}

TEST_CASE("join requests beyond max_rooms_per_conn are ignored and counted", "[tracker]")
{
    TrackerOptions options;
    options.max_rooms_per_conn = 2;
    Tracker tracker(options);
    Events out;
    tracker.open_conn(ConnInfo{"A", Transport::bosh, "ip-A", "ua"});
    tracker.open_conn(ConnInfo{"B", Transport::bosh, "ip-B", "ua"});
    const auto feed = [&](bool server, const char* conn, const std::string& stanza) {
        pugi::xml_document doc;
        REQUIRE(xml::parse(stanza, doc));
        if (server)
            tracker.server_stanza(conn, doc.document_element(), at(1), out);
        else
            tracker.client_stanza(conn, doc.document_element(), at(1), out);
    };
    for (const char* r : {"r1@muc.example/a", "r2@muc.example/a", "r3@muc.example/a"})
        feed(false, "A", join_request(r));
    CHECK(tracker.open_rooms() == 2);
    CHECK(tracker.ignored_join_requests() == 1);
    // A new resource in a room already watched is no new room.
    feed(false, "A", join_request("r1@muc.example/b"));
    CHECK(tracker.ignored_join_requests() == 1);
    // The third room's join request was ignored: another member's copy of A's occupant there
    // is observed, and A's own self-presence (server-side, trusted) still makes it self.
    feed(false, "B", join_request("r3@muc.example/bee"));
    feed(true, "B", Presence("r3@muc.example/bee").codes({110}).str());
    feed(true, "B", Presence("r3@muc.example/a").nick("A").str());
    feed(true, "A", Presence("r3@muc.example/a").nick("A").codes({110}).str());
    REQUIRE(out.size() == 2);
    CHECK(out[1].source == Source::observed);
    out.clear();
    tracker.close_conn("A", LeaveReason::terminated, at(2), out);
    CHECK_THAT(describe(out), Equals(std::vector<std::string>{"leave r3@muc.example/a terminated"}));
}

TEST_CASE("a joining stream's roster copy of an occupant that just ended is not a new join",
          "[tracker]")
{
    Harness h;
    h.join_self("A", "alice", "Alice", 1);
    h.client("B", join_request(occ("bob"), "Bob"), 2); // B is joining
    // Alice's session ends (BOSH terminate) before the server has broadcast her leave; B's
    // roster snapshot, sent before that, still lists her.
    h.tracker.close_conn("A", LeaveReason::terminated, at(2.1), h.out);
    h.take();
    h.server("B", avail("alice", "Alice").str(), 2.2);
    h.self_presence("B", "bob", "Bob", 2.3);
    h.server("B", gone("alice").str(), 2.4);
    CHECK_THAT(h.take(), Equals(std::vector<std::string>{"join r@muc.example/bob self"}));
    // Later the same resource may join again: B sees it.
    h.server("B", avail("alice", "Alice").str(), 5);
    CHECK(h.take().size() == 1);
}

// Captured in a Prosody run (WebSocket, two shared cores): the server queued the departing
// occupant's last name change behind the newcomer's own presence, and its unavailable after that.
TEST_CASE("a joining stream's broadcasts queued behind its own presence do not bring back an "
          "occupant that left meanwhile",
          "[tracker]")
{
    const bool roster_first = GENERATE(false, true); // the roster copy before or after the leave
    Harness h;
    h.join_self("A", "alice", "Alice", 1);
    h.take();
    h.client("B", join_request(occ("bob"), "Bob"), 90); // B is joining
    if (roster_first) h.server("B", avail("alice", "Alice").str(), 90.01);
    h.server("A", Presence(occ("alice")).jid("alice@example/x").codes({110}).str(), 90.02);
    h.server("A", Presence(occ("alice")).type("unavailable").codes({110}).str(), 90.06);
    CHECK_THAT(h.take(),
               Equals(std::vector<std::string>{"nick_change r@muc.example/alice Alice->null",
                                               "leave r@muc.example/alice left"}));
    if (!roster_first) h.server("B", avail("alice", "Alice").str(), 90.08);
    h.self_presence("B", "bob", "Bob", 90.08);
    h.server("B", Presence(occ("alice")).jid("alice@example/x").str(), 90.08); // the name change
    h.server("B", gone("alice").str(), 90.08);
    CHECK_THAT(h.take(), Equals(std::vector<std::string>{"join r@muc.example/bob self"}));
    // B has caught up: the resource may join again.
    h.server("B", avail("alice", "Alice").str(), 95);
    CHECK_THAT(h.take(), Equals(std::vector<std::string>{"join r@muc.example/alice observed"}));
}

TEST_CASE("an occupant that joins and leaves right after a stream joined is not re-created by "
          "that stream's late broadcasts",
          "[tracker]")
{
    Harness h;
    h.join_self("A", "alice", "Alice", 1);
    h.client("B", join_request(occ("bob"), "Bob"), 10);
    h.join_self("C", "carol", "Carol", 10.01); // after B at the server: not in B's roster
    h.server("C", Presence(occ("carol")).type("unavailable").codes({110}).str(), 10.02);
    h.take();
    h.server("B", avail("alice", "Alice").str(), 10.05);
    h.self_presence("B", "bob", "Bob", 10.05);
    h.server("B", avail("carol", "Carol").str(), 10.05);
    h.server("B", gone("carol").str(), 10.05);
    CHECK_THAT(h.take(), Equals(std::vector<std::string>{"join r@muc.example/bob self"}));
}

TEST_CASE("a joining stream's tombstone for a leave its roster never listed lapses", "[tracker]")
{
    Harness h;
    h.join_self("A", "alice", "Alice", 1);
    h.server("A", avail("dave", "Dave").str(), 2); // dave's client is not proxied
    h.client("B", join_request(occ("bob"), "Bob"), 10);
    h.server("A", gone("dave").str(), 10.01); // at the server before B joined
    h.take();
    h.server("B", avail("alice", "Alice").str(), 10.05);
    h.self_presence("B", "bob", "Bob", 10.05);
    CHECK_THAT(h.take(), Equals(std::vector<std::string>{"join r@muc.example/bob self"}));
    // Dave comes back under the same resource a minute later; B's stream shows it first, and
    // later its leave.
    h.server("B", avail("dave", "Dave").str(), 70);
    CHECK_THAT(h.take(), Equals(std::vector<std::string>{"join r@muc.example/dave observed"}));
    h.server("B", gone("dave").str(), 80);
    CHECK_THAT(h.take(), Equals(std::vector<std::string>{"leave r@muc.example/dave left"}));
}

TEST_CASE("an occupant boshtap ended at its connection's end is not brought back by a newcomer's "
          "roster while the server still holds it",
          "[tracker]")
{
    Harness h;
    h.join_self("A", "alice", "Alice", 1);
    h.join_self("B", "bob", "Bob", 2);
    h.tracker.close_conn("A", LeaveReason::disconnected, at(3), h.out); // resume window passed
    h.take();
    // C joins while the server still has Alice (it has not dropped her session yet).
    h.client("C", join_request(occ("carol"), "Carol"), 4);
    h.server("C", avail("alice", "Alice").str(), 4.1);
    h.self_presence("C", "carol", "Carol", 4.2);
    CHECK_THAT(h.take(), Equals(std::vector<std::string>{"join r@muc.example/carol self"}));
    // The server lets her go: every stream sees the unavailable; nothing more is logged.
    h.server("B", gone("alice").str(), 20);
    h.server("C", gone("alice").str(), 20);
    CHECK(h.out.empty());
    // Afterwards the resource is free again.
    h.server("C", avail("alice", "Alice").str(), 30);
    CHECK(h.take().size() == 1);
}

TEST_CASE("a ghost released on one stream is not brought back by a newcomer's older roster",
          "[tracker]")
{
    // Captured order (Prosody, a hibernated WebSocket session dropped 20 s after boshtap's own
    // leave): a member's stream shows the server's unavailable before the newcomer's roster,
    // made earlier, still listing the occupant, has been read.
    Harness h;
    h.join_self("A", "alice", "Alice", 1);
    h.join_self("B", "bob", "Bob", 2);
    h.tracker.close_conn("A", LeaveReason::disconnected, at(3), h.out);
    h.take();
    h.client("C", join_request(occ("carol"), "Carol"), 4);
    h.server("B", gone("alice").str(), 4.1); // the server let her go
    h.server("C", avail("alice", "Alice").str(), 4.2); // C's roster, older than that
    h.self_presence("C", "carol", "Carol", 4.3);
    h.server("C", gone("alice").str(), 4.4);
    CHECK_THAT(h.take(), Equals(std::vector<std::string>{"join r@muc.example/carol self"}));
    // Afterwards the resource is free again on every stream.
    h.server("C", avail("alice", "Alice").str(), 30);
    CHECK(h.take().size() == 1);
}
