// WsTap: RFC 7395 framing, bound JID, XEP-0198 resumption and the resume window.
#include "boshtap/core/ws_tap.hpp"
#include "test_support.hpp"

#include <catch2/catch.hpp>

using namespace boshtap::core;
using namespace boshtap::test;
using Catch::Matchers::Equals;

namespace {

constexpr const char* room = "design@conference.example";
const std::string olivia = std::string(room) + "/1c9e5a37";
const std::string kai = std::string(room) + "/2d0f6b48";
constexpr const char* token = "a5d3f1b9";

struct Ws {
    Tracker tracker;
    WsTap tap{tracker, WsOptions{std::chrono::seconds(90)}};
    Events out;

    void open(const char* conn, const std::string& target = "/xmpp-websocket", double t = 0)
    {
        tap.on_open(conn, HttpMeta{"198.51.100.7", "ua", target}, at(t));
    }
    TapIssue c2s(const char* conn, const std::string& m, double t = 1)
    {
        return tap.on_message(conn, Direction::client_to_server, m, at(t), out);
    }
    TapIssue s2c(const char* conn, const std::string& m, double t = 1)
    {
        return tap.on_message(conn, Direction::server_to_client, m, at(t), out);
    }
    // Open, bind, optionally enable resumption, join with a roster of Kai.
    void session(const char* conn, bool resumable)
    {
        open(conn);
        c2s(conn, "<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' to='example' version='1.0'/>");
        s2c(conn, bind_result("olivia@example/res"));
        if (resumable) {
            c2s(conn, "<enable xmlns='urn:xmpp:sm:3' resume='true'/>");
            s2c(conn, std::string("<enabled xmlns='urn:xmpp:sm:3' resume='true' max='60' id='") +
                          token + "'/>");
        }
        c2s(conn, join_request(olivia, "Olivia"));
        s2c(conn, Presence(kai).nick("Kai").jid("kai@example/k"));
        s2c(conn, Presence(olivia).nick("Olivia").codes({100, 110}));
        CHECK(describe(out) ==
              std::vector<std::string>{"join design@conference.example/2d0f6b48 observed",
                                       "join design@conference.example/1c9e5a37 self"});
        out.clear();
    }
    std::vector<std::string> take()
    {
        auto d = describe(out);
        out.clear();
        return d;
    }
};

const std::vector<std::string> both_leave(const char* reason)
{
    return {std::string("leave design@conference.example/1c9e5a37 ") + reason,
            "leave design@conference.example/2d0f6b48 unobserved"};
}

} // namespace

TEST_CASE("WebSocket events carry the connection and the bound JID", "[ws]")
{
    Ws w;
    w.open("ws1");
    w.c2s("ws1", join_request(olivia, "Olivia"));
    w.s2c("ws1", bind_result("olivia@example/res"));
    w.s2c("ws1", Presence(olivia).nick("Olivia").codes({110}));
    REQUIRE(w.out.size() == 1);
    CHECK(w.out[0].conn.transport == Transport::websocket);
    CHECK(w.out[0].conn.id == "ws1");
    CHECK(w.out[0].jid == "olivia@example/res");
}

TEST_CASE("bad WebSocket messages are reported", "[ws]")
{
    Ws w;
    w.open("ws1");
    CHECK(w.s2c("ws1", "<presence") == TapIssue::not_xml);
    CHECK(w.s2c("ws1", "<a/><b/>") == TapIssue::not_xml);
    CHECK(w.s2c("ws1", "<!DOCTYPE a [<!ENTITY e 'x'>]><a>&e;</a>") == TapIssue::not_xml);
    CHECK(w.s2c("nope", "<open xmlns='urn:ietf:params:xml:ns:xmpp-framing'/>") ==
          TapIssue::unknown_sid);
    CHECK(w.out.empty());
}

TEST_CASE("a socket closed after <close/> ends the connection at once", "[ws]")
{
    Ws w;
    w.session("ws1", true);
    SECTION("client's close")
    {
        w.c2s("ws1", "<close xmlns='urn:ietf:params:xml:ns:xmpp-framing'/>", 5);
    }
    SECTION("server's close")
    {
        w.s2c("ws1", "<close xmlns='urn:ietf:params:xml:ns:xmpp-framing'/>", 5);
    }
    CHECK(w.out.empty());
    w.tap.on_closed("ws1", at(5), w.out);
    CHECK_THAT(w.take(), Equals(both_leave("terminated")));
    CHECK(w.tap.open_connections() == 0);
}

TEST_CASE("a <close> in another namespace is not the framing close", "[ws]")
{
    Ws w;
    w.session("ws1", false);
    w.c2s("ws1", "<close xmlns='urn:evil'/>", 5);
    w.tap.on_closed("ws1", at(5), w.out);
    CHECK_THAT(w.take(), Equals(both_leave("disconnected")));
}

TEST_CASE("a dropped socket that cannot resume is disconnected at once", "[ws]")
{
    Ws w;
    w.session("ws1", false);
    w.tap.on_closed("ws1", at(5), w.out);
    CHECK_THAT(w.take(), Equals(both_leave("disconnected")));
}

TEST_CASE("a dropped resumable socket waits for the resume window", "[ws]")
{
    Ws w;
    w.session("ws1", true);
    w.tap.on_closed("ws1", at(5), w.out);
    CHECK(w.out.empty());
    CHECK(w.tap.next_deadline() == at(95));
    w.tap.tick(at(94.999), w.out);
    CHECK(w.out.empty());
    w.tap.tick(at(95), w.out);
    CHECK_THAT(w.take(), Equals(both_leave("disconnected")));
    CHECK(w.out.empty());
    CHECK_FALSE(w.tap.next_deadline());
}

TEST_CASE("XEP-0198 resume continues the occupants on the new socket", "[ws]")
{
    Ws w;
    w.session("ws1", true);
    SECTION("the old socket's drop was noticed first")
    {
        w.tap.on_closed("ws1", at(90), w.out);
    }
    SECTION("the old socket is still half-open") {}
    w.open("ws2", std::string("/xmpp-websocket?room=x&previd=") + token, 93);
    w.c2s("ws2", std::string("<resume xmlns='urn:xmpp:sm:3' h='10' previd='") + token + "'/>",
          93.2);
    w.s2c("ws2", std::string("<resumed xmlns='urn:xmpp:sm:3' h='6' previd='") + token + "'/>",
          93.3);
    w.tap.on_closed("ws1", at(93.4), w.out); // late notice of the old socket: nothing to do
    w.s2c("ws2", Presence(kai).nick("Kai K.").jid("kai@example/k"), 93.5);
    w.tap.tick(at(500), w.out);
    CHECK_THAT(w.take(), Equals(std::vector<std::string>{
                             "nick_change design@conference.example/2d0f6b48 Kai->Kai K."}));
    // The resumed session can resume again with the same id.
    w.tap.on_closed("ws2", at(600), w.out);
    w.open("ws3", std::string("/xmpp-websocket?previd=") + token, 601);
    w.s2c("ws3", std::string("<resumed xmlns='urn:xmpp:sm:3' previd='") + token + "'/>", 601);
    w.c2s("ws3", "<close xmlns='urn:ietf:params:xml:ns:xmpp-framing'/>", 700);
    w.tap.on_closed("ws3", at(700), w.out);
    CHECK_THAT(describe(w.out), Equals(both_leave("terminated")));
    CHECK(w.out[0].conn.id == "ws3");
}

TEST_CASE("a resume of another session does not move these occupants", "[ws]")
{
    Ws w;
    w.session("ws1", true);
    w.tap.on_closed("ws1", at(5), w.out);
    w.open("ws2", "/xmpp-websocket?previd=other", 6);
    w.s2c("ws2", std::string("<resumed xmlns='urn:xmpp:sm:3' previd='") + token + "'/>", 6.1);
    w.s2c("ws2", "<resumed xmlns='urn:xmpp:sm:3' previd='unknown'/>", 6.2);
    w.tap.tick(at(95), w.out);
    CHECK_THAT(w.take(), Equals(both_leave("disconnected")));
}

TEST_CASE("<enabled/> without resume does not make the socket resumable", "[ws]")
{
    Ws w;
    w.session("ws1", false);
    w.s2c("ws1", "<enabled xmlns='urn:xmpp:sm:3' id='x'/>");
    w.tap.on_closed("ws1", at(5), w.out);
    CHECK_THAT(w.take(), Equals(both_leave("disconnected")));
}

TEST_CASE("a join request sent before <resume/> leaves no watcher behind", "[ws]")
{
    // XEP-0198 §5: nothing is sent before the resumption; a client that does must not leave the
    // new socket's pending join in a room after move_conn, or the room never becomes unobserved.
    Ws w;
    w.session("ws1", true);
    w.tap.on_closed("ws1", at(5), w.out);
    w.open("ws2", std::string("/xmpp-websocket?previd=") + token, 6);
    SECTION("into the same room")
    {
        w.c2s("ws2", join_request(olivia, "Olivia"), 6.1);
    }
    SECTION("into another room")
    {
        w.c2s("ws2", join_request("lobby@conference.example/1c9e5a37", "Olivia"), 6.1);
    }
    w.c2s("ws2", std::string("<resume xmlns='urn:xmpp:sm:3' h='10' previd='") + token + "'/>",
          6.2);
    w.s2c("ws2", std::string("<resumed xmlns='urn:xmpp:sm:3' h='6' previd='") + token + "'/>",
          6.3);
    w.c2s("ws2", "<close xmlns='urn:ietf:params:xml:ns:xmpp-framing'/>", 7);
    w.tap.on_closed("ws2", at(7), w.out);
    CHECK_THAT(w.take(), Equals(both_leave("terminated")));
    CHECK(w.tracker.open_rooms() == 0);
    CHECK(w.tracker.open_conns() == 0);
}
