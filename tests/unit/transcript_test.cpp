// The transcript reader, and replay details the fixtures do not reach (timers, drops).
#include "boshtap/core/replay.hpp"
#include "boshtap/core/transcript.hpp"

#include <catch2/catch.hpp>

using namespace boshtap::core;
using namespace std::chrono_literals;

TEST_CASE("section headers", "[transcript]")
{
    const auto s = parse_transcript(
        "# comment\n"
        "=== C->S rid=118840010 t=+72.115 (POST /http-bind?prefix=acme&room=retro) attempt 2 "
        "(identical)\n"
        "<body/>\n"
        "# a comment between sections is not payload\n"
        "\n"
        "=== S->C rid=9 sid=abc t=+1.0005 (200 OK, joined main room (focus, Mia = roster))\n"
        "  <body>\n  </body>  \n"
        "=== C->S frame conn=ws1 t=+0.570 (MUC join)\n<presence/>\n"
        "=== C->S HTTP conn=ka1 t=+65\nGET / HTTP/1.1\nHost: x\n");
    REQUIRE(s.size() == 4);
    CHECK(s[0].from_client);
    CHECK(s[0].rid == "118840010");
    CHECK(s[0].t == 72115ms);
    CHECK(s[0].request_line == "POST /http-bind?prefix=acme&room=retro");
    CHECK(s[0].payload == "<body/>");
    CHECK(s[0].line == 2);
    CHECK_FALSE(s[1].from_client);
    CHECK(s[1].sid == "abc");
    CHECK(s[1].t == 1001ms); // rounded to the millisecond
    CHECK(s[1].request_line == "200 OK, joined main room (focus, Mia = roster)");
    CHECK(s[1].payload == "<body>\n  </body>");
    CHECK(s[2].is_frame);
    CHECK(s[2].conn == "ws1");
    CHECK(s[3].is_http_head);
    CHECK(s[3].t == 65s);
    CHECK(s[3].payload == "GET / HTTP/1.1\nHost: x");
}

TEST_CASE("malformed section headers name their line", "[transcript]")
{
    const auto header = GENERATE(as<std::string>{}, "=== X->Y rid=1", "=== C->S t=+abc",
                                 "=== C->S t=+", "=== S->C (200 OK", "=== C->S rid=");
    INFO(header);
    CHECK_THROWS_WITH(parse_transcript("# first\n" + header + "\n<body/>\n"),
                      Catch::Contains("line 2"));
}

namespace {

const char* silent_session = R"(
=== C->S rid=1 t=+0.000 (POST /http-bind)
<body rid='1' xmlns='http://jabber.org/protocol/httpbind' wait='60'/>
=== S->C rid=1 t=+0.010 (200 OK)
<body xmlns='http://jabber.org/protocol/httpbind' sid='s1' wait='20' inactivity='10'/>
=== C->S rid=2 t=+1.000 (POST /http-bind)
<body rid='2' sid='s1' xmlns='http://jabber.org/protocol/httpbind'><presence xmlns='jabber:client' to='r@m/me'><x xmlns='http://jabber.org/protocol/muc'/></presence></body>
=== S->C rid=2 t=+1.100 (200 OK)
<body xmlns='http://jabber.org/protocol/httpbind'><presence xmlns='jabber:client' from='r@m/me'><x xmlns='http://jabber.org/protocol/muc#user'><item role='participant'/><status code='110'/></x></presence></body>
)";

} // namespace

TEST_CASE("replay drains timers at their own time", "[transcript]")
{
    const auto sections = parse_transcript(silent_session);
    const auto events = replay(sections);
    REQUIRE(events.size() == 2);
    CHECK(events[1].kind == EventKind::leave);
    CHECK(events[1].reason == LeaveReason::timeout);
    // last request at 1.0 + inactivity 10 + wait 20 + margin 30
    CHECK(events[1].ts == TimePoint{} + 61s);
    CHECK(events[1].duration == 59900ms);

    ReplayOptions no_drain;
    no_drain.drain_timers = false;
    CHECK(replay(sections, no_drain).size() == 1);
}

TEST_CASE("replay: a plain GET is no WebSocket, a resume upgrade drops the old socket",
          "[transcript]")
{
    const char* text = R"(
=== C->S HTTP conn=ws1 t=+0
GET /xmpp-websocket HTTP/1.1
Upgrade: websocket
X-Forwarded-For: 198.51.100.7, 10.0.0.1
User-Agent: Test/1.0
=== S->C frame conn=ws1 t=+0.1
<enabled xmlns='urn:xmpp:sm:3' resume='true' id='T1'/>
=== C->S frame conn=ws1 t=+0.2
<presence xmlns='jabber:client' to='r@m/me'><x xmlns='http://jabber.org/protocol/muc'/></presence>
=== S->C frame conn=ws1 t=+0.3
<presence xmlns='jabber:client' from='r@m/me'><x xmlns='http://jabber.org/protocol/muc#user'><item role='participant'/><status code='110'/></x></presence>
=== C->S HTTP conn=ka1 t=+5
GET /xmpp-websocket HTTP/1.1
=== C->S HTTP conn=ws2 t=+10
GET /xmpp-websocket?previd=T1 HTTP/1.1
Upgrade: websocket
=== S->C frame conn=ws2 t=+10.5
<failed xmlns='urn:xmpp:sm:3'/>
)";
    const auto events = replay(parse_transcript(text));
    REQUIRE(events.size() == 2);
    CHECK(events[0].conn.client_ip == "198.51.100.7");
    CHECK(events[0].conn.user_agent == "Test/1.0");
    CHECK(events[1].reason == LeaveReason::disconnected);
    CHECK(events[1].ts == TimePoint{} + 100s); // dropped at 10, resume window 90 s
}
