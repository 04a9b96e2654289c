// BoshTap: session creation, rid order both ways, retransmissions, session end, Openfire's
// shapes (tests/fixtures/openfire-bosh-shapes.txt) and bad input.
#include "boshtap/core/bosh_tap.hpp"
#include "test_support.hpp"

#include <catch2/catch.hpp>

using namespace boshtap::core;
using namespace boshtap::test;
using Catch::Matchers::Equals;

namespace {

constexpr const char* sid = "q0f3x7k2mb";
constexpr const char* room = "demo@conference.meet.jitsi";
const std::string alice = std::string(room) + "/4f3e2d1c";

struct Bosh {
    Tracker tracker;
    BoshTap tap{tracker};
    Events out;
    BoshTap::ExchangeId next = 1;

    // Openfire-style creation (double quotes, ack, inactivity 30) with rid 7000.
    Bosh()
    {
        const auto id =
            send("<body rid='7000' xmlns='http://jabber.org/protocol/httpbind' to='meet.jitsi' "
                 "wait='60' hold='1' ver='1.6' xmpp:version='1.0' xmlns:xmpp='urn:xmpp:xbosh'/>",
                 0);
        REQUIRE(answer(id,
                       "<body xmlns=\"http://jabber.org/protocol/httpbind\" "
                       "xmlns:stream=\"http://etherx.jabber.org/streams\" from=\"meet.jitsi\" "
                       "authid=\"q0f3x7k2mb\" sid=\"q0f3x7k2mb\" secure=\"true\" requests=\"2\" "
                       "inactivity=\"30\" polling=\"5\" wait=\"60\" hold=\"1\" ack=\"7000\" "
                       "maxpause=\"300\" ver=\"1.6\"><stream:features><mechanisms "
                       "xmlns=\"urn:ietf:params:xml:ns:xmpp-sasl\"><mechanism>ANONYMOUS</mechanism>"
                       "</mechanisms></stream:features></body>",
                       0.01) == TapIssue::none);
        REQUIRE(tap.open_sessions() == 1);
    }

    BoshTap::ExchangeId send(const std::string& body, double t, TapIssue expect = TapIssue::none)
    {
        const auto id = next++;
        CHECK(tap.on_request(id, HttpMeta{"198.51.100.7", "test-agent", "/http-bind"}, body, at(t),
                             out) == expect);
        return id;
    }
    BoshTap::ExchangeId req(unsigned long long rid, const std::string& inner, double t,
                            std::string_view attrs = {})
    {
        return send(request(sid, rid, inner, attrs), t);
    }
    TapIssue answer(BoshTap::ExchangeId id, const std::string& body, double t,
                    unsigned status = 200)
    {
        return tap.on_response(id, status, body, at(t), out);
    }
    std::vector<std::string> take()
    {
        auto d = describe(out);
        out.clear();
        return d;
    }
};

// Openfire data bodies carry neither sid nor (5.1+) ack.
std::string of_response(const std::string& inner)
{
    return response(inner);
}

std::string self(const char* nick, std::vector<int> codes = {110})
{
    return Presence(alice).nick(nick).jid("b7wq2c9d1z@meet.jitsi/c3a1e9").codes(std::move(codes));
}

} // namespace

TEST_CASE("unusable bodies are reported, never thrown", "[bosh]")
{
    Bosh b;
    const auto [what, body, issue] = GENERATE(table<const char*, std::string, TapIssue>({
        {"unclosed",
         "<body rid='7001' sid='q0f3x7k2mb' xmlns='http://jabber.org/protocol/httpbind'>",
         TapIssue::not_xml},
        {"garbage", "\x01\x02garbage", TapIssue::not_xml},
        {"DOCTYPE",
         "<!DOCTYPE body [<!ENTITY a 'b'>]><body rid='7001' sid='q0f3x7k2mb' "
         "xmlns='http://jabber.org/protocol/httpbind'>&a;</body>",
         TapIssue::not_xml},
        {"NUL", std::string("<body rid='7001'\0/>", 19), TapIssue::not_xml},
        {"invalid UTF-8",
         "<body rid='7001' sid='q0f3x7k2mb' xmlns='http://jabber.org/protocol/httpbind'>"
         "\xFF</body>",
         TapIssue::not_xml},
        {"HTML", "<html><body>nope</body></html>", TapIssue::not_bosh_body},
        {"body in another namespace", "<body rid='7001' sid='q0f3x7k2mb' xmlns='urn:evil'/>",
         TapIssue::not_bosh_body},
        {"no rid", "<body sid='q0f3x7k2mb' xmlns='http://jabber.org/protocol/httpbind'/>",
         TapIssue::not_bosh_body},
        {"bad rid", "<body rid='-1' sid='q0f3x7k2mb' xmlns='http://jabber.org/protocol/httpbind'/>",
         TapIssue::not_bosh_body},
        {"unknown sid", "<body rid='7001' sid='nope' xmlns='http://jabber.org/protocol/httpbind'/>",
         TapIssue::unknown_sid},
    }));
    INFO(what);
    b.send(body, 1, issue);
    CHECK(b.out.empty());
    CHECK(b.tap.on_response(999, 200, response(), at(1), b.out) == TapIssue::stale_exchange);
}

TEST_CASE("deeply nested bodies do not break the tap", "[bosh]")
{
    Bosh b;
    std::string inner;
    for (int i = 0; i < 10000; ++i) inner += "<a>";
    for (int i = 0; i < 10000; ++i) inner += "</a>";
    const auto id = b.req(7001, inner, 1);
    CHECK(b.answer(id, of_response(inner), 1.1) == TapIssue::none);
    CHECK(b.out.empty());
}

TEST_CASE("an unparseable response frees the rid order", "[bosh]")
{
    Bosh b;
    const auto r1 = b.req(7001, join_request(alice, "Alice"), 1);
    const auto r2 = b.req(7002, "", 1.1);
    CHECK(b.answer(r2, of_response(self("Alice")), 2) == TapIssue::none);
    CHECK(b.out.empty()); // waits for 7001's answer
    CHECK(b.answer(r1, "<body", 2.1) == TapIssue::not_xml);
    CHECK_THAT(b.take(),
               Equals(std::vector<std::string>{"join demo@conference.meet.jitsi/4f3e2d1c self"}));
}

TEST_CASE("Openfire shapes: restart without sid, data bodies without sid, ack, empty bodies",
          "[bosh]")
{
    Bosh b;
    auto id =
        b.req(7001, "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='ANONYMOUS'/>", 1);
    CHECK(b.answer(id,
                   "<body xmlns='http://jabber.org/protocol/httpbind' ack='7001'><success "
                   "xmlns=\"urn:ietf:params:xml:ns:xmpp-sasl\"/></body>",
                   1) == TapIssue::none);
    id = b.req(7002, "", 1.1, "to='meet.jitsi' xmpp:restart='true' xmlns:xmpp='urn:xmpp:xbosh'");
    CHECK(b.answer(id,
                   "<body xmlns=\"http://jabber.org/protocol/httpbind\" "
                   "xmlns:stream=\"http://etherx.jabber.org/streams\"><stream:features><bind "
                   "xmlns=\"urn:ietf:params:xml:ns:xmpp-bind\"/></stream:features></body>",
                   1.1) == TapIssue::none);
    id = b.req(7003,
               "<iq type='set' id='_bind_auth_2' xmlns='jabber:client'><bind "
               "xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq>",
               1.2);
    CHECK(b.answer(
              id,
              "<body xmlns='http://jabber.org/protocol/httpbind'><iq xmlns=\"jabber:client\" "
              "type=\"result\" id=\"_bind_auth_2\" to=\"b7wq2c9d1z@meet.jitsi/c3a1e9\"><bind "
              "xmlns=\"urn:ietf:params:xml:ns:xmpp-bind\"><jid>b7wq2c9d1z@meet.jitsi/c3a1e9</jid>"
              "</bind></iq></body>",
              1.2) == TapIssue::none);
    // 7009 held empty; 7010 joins. 7009 comes back as dom4j's self-closing empty body with ack.
    const auto held = b.req(7009, "", 2);
    const auto join = b.req(7010, join_request(alice, "Alice"), 3);
    CHECK(b.answer(held, "<body xmlns=\"http://jabber.org/protocol/httpbind\" ack=\"7010\"/>",
                   3.1) == TapIssue::none);
    // Several stanzas in one body, Openfire's status order (110, 100, 170), no 'to' filter.
    CHECK(b.answer(
              join,
              of_response(
                  Presence(std::string(room) + "/focus").jid("focus@meet.jitsi/focus").str() +
                  Presence(std::string(room) + "/b0b").nick("Bob").jid("bob@meet.jitsi/x").str() +
                  self("Alice", {110, 100, 170})),
              3.2) == TapIssue::none);
    CHECK_THAT(b.take(),
               Equals(std::vector<std::string>{"join demo@conference.meet.jitsi/b0b observed",
                                               "join demo@conference.meet.jitsi/4f3e2d1c self"}));
    // An idle long-poll answered with the string-built empty body ([<=5.0] with ack).
    id = b.req(7021, "", 4);
    CHECK(b.answer(id, "<body xmlns='http://jabber.org/protocol/httpbind' ack='7021'></body>",
                   64) == TapIssue::none);
    CHECK(b.out.empty());
    CHECK(b.tap.open_sessions() == 1);
}

TEST_CASE("Openfire session ends: terminate with ack, condition, HTTP 404", "[bosh]")
{
    Bosh b;
    const auto join = b.req(7010, join_request(alice, "Alice"), 1);
    b.answer(join, of_response(self("Alice")), 1.1);
    b.take();
    SECTION("terminate with ack, after the client's terminate")
    {
        const auto id = b.req(7032, "<presence type='unavailable' xmlns='jabber:client'/>", 5,
                              "type='terminate'");
        CHECK(b.out.empty()); // the request alone ends nothing yet
        b.answer(
            id,
            "<body xmlns=\"http://jabber.org/protocol/httpbind\" type=\"terminate\" ack=\"7031\"/>",
            5.1);
    }
    SECTION("server-side terminate condition")
    {
        const auto id = b.req(7011, "", 5);
        b.answer(id,
                 "<body xmlns=\"http://jabber.org/protocol/httpbind\" type=\"terminate\" "
                 "condition=\"item-not-found\"/>",
                 5.1);
    }
    SECTION("HTTP 404 with Jetty's HTML page")
    {
        const auto id = b.req(7011, "", 5);
        CHECK(b.answer(id, "<html><head><title>Error 404 Invalid SID value.</title></head></html>",
                       5.1, 404) == TapIssue::none);
    }
    REQUIRE(b.out.size() == 1);
    CHECK(b.out[0].reason == LeaveReason::terminated);
    CHECK(b.out[0].ts == at(5.1));
    CHECK(b.tap.open_sessions() == 0);
    CHECK(b.tap.on_request(99, {}, request(sid, 7040), at(6), b.out) == TapIssue::unknown_sid);
}

TEST_CASE("sendBeacon terminate while a poll is held (Openfire 2b)", "[bosh]")
{
    Bosh b;
    const auto join = b.req(7010, join_request(alice, "Alice"), 1);
    b.answer(join, of_response(self("Alice")), 1.1);
    b.take();
    const auto held = b.req(7030, "", 2);
    const auto beacon =
        b.req(7031, "<presence xmlns='jabber:client' type='unavailable'/>", 3, "type='terminate'");
    b.answer(
        beacon,
        "<body xmlns=\"http://jabber.org/protocol/httpbind\" type=\"terminate\" ack=\"7030\"/>",
        3.1);
    CHECK(b.out.empty()); // waits for the held 7030
    b.answer(held, of_response(Presence(alice).type("unavailable").codes({110})), 3.2);
    CHECK_THAT(b.take(),
               Equals(std::vector<std::string>{"leave demo@conference.meet.jitsi/4f3e2d1c left"}));
    CHECK(b.tap.open_sessions() == 0);
}

TEST_CASE("answers to refused requests and to ended sessions are expected, not stale",
          "[bosh]")
{
    Bosh b;
    SECTION("a request for an unknown sid, then its answer (the server's 404)")
    {
        const auto id = b.send(
            "<body rid='9' sid='gone' xmlns='http://jabber.org/protocol/httpbind'/>", 1,
            TapIssue::unknown_sid);
        CHECK(b.answer(id, "", 1.1, 404) == TapIssue::none);
    }
    SECTION("a poll still held when the session ended (the server's 404 to another)")
    {
        const auto held = b.req(7001, "", 1);
        const auto second = b.req(7002, "", 1.5);
        CHECK(b.answer(second, "", 2, 404) == TapIssue::none);
        CHECK(b.tap.open_sessions() == 0);
        CHECK(b.answer(held, of_response(""), 2.1) == TapIssue::none);
        CHECK(b.answer(held, of_response(""), 2.2) == TapIssue::stale_exchange); // once only
    }
    SECTION("an outcome that never comes is forgotten after the wait")
    {
        const auto id = b.send(
            "<body rid='9' sid='gone' xmlns='http://jabber.org/protocol/httpbind'/>", 1,
            TapIssue::unknown_sid);
        b.tap.tick(at(1 + 60 + 30), b.out); // default wait + response margin
        CHECK(b.answer(id, "", 92) == TapIssue::stale_exchange);
    }
    CHECK(b.out.empty());
}

TEST_CASE("a retransmitted request and the replayed response are processed once", "[bosh]")
{
    Bosh b;
    const auto join = b.req(7010, join_request(alice, "Alice"), 1);
    const auto rename =
        Presence(alice).nick("Alicia").jid("b7wq2c9d1z@meet.jitsi/c3a1e9").codes({110}).str();
    SECTION("the original response reached boshtap: the replay is ignored")
    {
        b.answer(join, of_response(self("Alice")), 1.1);
        const auto again = b.req(7010, join_request(alice, "Alice"), 2);
        b.answer(again, of_response(self("Alice")), 2.1);
        const auto r = b.req(7011, "", 3);
        b.answer(r, of_response(rename), 3.1);
        const auto r_again = b.req(7011, "", 4);
        b.answer(r_again, of_response(rename), 4.1);
    }
    SECTION("the original response was lost: the replay is processed")
    {
        b.tap.on_failed(join, at(1.5), b.out);
        const auto again = b.req(7010, join_request(alice, "Alice"), 2);
        b.answer(again, of_response(self("Alice")), 2.1);
        const auto r = b.req(7011, "", 3);
        b.answer(r, of_response(rename), 3.1);
    }
    SECTION("the replay overtakes the original: the late original is ignored")
    {
        const auto again = b.req(7010, join_request(alice, "Alice"), 2);
        b.answer(again, of_response(self("Alice")), 2.1);
        b.answer(join, of_response(self("Alice")), 2.2);
        const auto r = b.req(7011, "", 3);
        b.answer(r, of_response(rename), 3.1);
    }
    CHECK_THAT(b.take(), Equals(std::vector<std::string>{
                             "join demo@conference.meet.jitsi/4f3e2d1c self",
                             "nick_change demo@conference.meet.jitsi/4f3e2d1c Alice->Alicia"}));
}

TEST_CASE("responses are processed in rid order", "[bosh]")
{
    Bosh b;
    const auto r1 = b.req(7010, join_request(alice, "Alice"), 1);
    const auto r2 = b.req(7011, "", 1.1);
    b.answer(r2, of_response(Presence(alice).nick("Alicia").codes({110})), 2);
    CHECK(b.out.empty());
    b.answer(r1, of_response(self("Alice")), 2.1);
    CHECK_THAT(b.take(), Equals(std::vector<std::string>{
                             "join demo@conference.meet.jitsi/4f3e2d1c self",
                             "nick_change demo@conference.meet.jitsi/4f3e2d1c Alice->Alicia"}));
}

TEST_CASE("requests are processed in rid order, a gap is released by a later answer", "[bosh]")
{
    // Another proxied participant watches the room, so the join of this session's occupant is
    // seen there first: it is `self` only if this session's join request has been processed.
    Bosh b;
    b.tracker.open_conn(ConnInfo{"other", Transport::bosh, "", ""});
    const auto watch = [&](const std::string& stanza, double t) {
        pugi::xml_document doc;
        REQUIRE(doc.load_string(stanza.c_str()));
        b.tracker.server_stanza("other", doc.document_element(), at(t), b.out);
    };
    watch(Presence(std::string(room) + "/0th3r").codes({110}).str(), 0.5);
    b.take();
    const auto bob = Presence(alice).nick("Alice").str(); // another member's copy: no 110

    SECTION("held behind the gap: not yet processed")
    {
        b.req(7002, join_request(alice, "Alice"), 1); // 7001 not seen yet
        watch(bob, 1.5);
        CHECK_THAT(b.take(), Equals(std::vector<std::string>{
                                 "join demo@conference.meet.jitsi/4f3e2d1c observed"}));
    }
    SECTION("the gap fills")
    {
        b.req(7002, join_request(alice, "Alice"), 1);
        b.req(7001, "", 1.1);
        watch(bob, 1.5);
        CHECK_THAT(b.take(), Equals(std::vector<std::string>{
                                 "join demo@conference.meet.jitsi/4f3e2d1c self"}));
    }
    SECTION("the server answers the later rid: it moved past the gap")
    {
        const auto id = b.req(7002, join_request(alice, "Alice"), 1);
        b.answer(id, of_response(""), 1.2);
        watch(bob, 1.5);
        CHECK_THAT(b.take(), Equals(std::vector<std::string>{
                                 "join demo@conference.meet.jitsi/4f3e2d1c self"}));
    }
}

TEST_CASE("an overdue exchange counts as failed and frees the response order", "[bosh]")
{
    Bosh b;
    b.req(7010, "", 1); // never answered: deadline 1 + wait 60 + margin 30
    const auto r2 = b.req(7011, join_request(alice, "Alice"), 2);
    b.answer(r2, of_response(self("Alice")), 3);
    CHECK(b.out.empty());
    CHECK(b.tap.next_deadline() == at(91));
    b.tap.tick(at(90.999), b.out);
    CHECK(b.out.empty());
    b.tap.tick(at(91), b.out);
    REQUIRE(b.out.size() == 1);
    CHECK(b.out[0].ts == at(91));
}

TEST_CASE("a silent session times out after inactivity + wait + margin", "[bosh]")
{
    Bosh b;
    const auto join = b.req(7010, join_request(alice, "Alice"), 10);
    b.answer(join, of_response(self("Alice")), 10.5);
    b.take();
    // Openfire said inactivity 30, wait 60; the default margin is 30 s.
    CHECK(b.tap.next_deadline() == at(130));
    b.tap.tick(at(129.999), b.out);
    CHECK(b.out.empty());
    b.tap.tick(at(130), b.out);
    CHECK_THAT(b.take(), Equals(std::vector<std::string>{
                             "leave demo@conference.meet.jitsi/4f3e2d1c timeout"}));
    CHECK(b.tap.open_sessions() == 0);
    CHECK_FALSE(b.tap.next_deadline());
}

TEST_CASE("a non-2xx answer other than 404 is a failed exchange, not the end", "[bosh]")
{
    Bosh b;
    const auto r1 = b.req(7010, "", 1);
    const auto r2 = b.req(7011, join_request(alice, "Alice"), 1.1);
    b.answer(r2, of_response(self("Alice")), 2);
    CHECK(b.answer(r1, "<html>Bad Gateway</html>", 2.1, 502) == TapIssue::none);
    CHECK(b.out.size() == 1);
    CHECK(b.tap.open_sessions() == 1);
}

TEST_CASE("the event carries the session's connection details", "[bosh]")
{
    Bosh b;
    const auto join = b.req(7010, join_request(alice, "Alice"), 1);
    b.answer(join, of_response(self("Alice")), 1.1);
    REQUIRE(b.out.size() == 1);
    CHECK(b.out[0].conn.id == sid);
    CHECK(b.out[0].conn.transport == Transport::bosh);
    CHECK(b.out[0].conn.client_ip == "198.51.100.7");
    CHECK(b.out[0].conn.user_agent == "test-agent");
    CHECK(b.out[0].jid == "b7wq2c9d1z@meet.jitsi/c3a1e9");
}
