// The WebSocket relay (RFC 6455 / RFC 7395) against an in-test WebSocket upstream.
#include "relay_fixture.hpp"

#include <catch2/catch.hpp>

#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket/stream.hpp>

using namespace relay_test;
namespace websocket = beast::websocket;

namespace {

using Client = websocket::stream<tcp::socket>;

struct Opened {
    std::unique_ptr<Client> ws;
    websocket::response_type response;
};

Opened open_ws(std::uint16_t port, const std::string& target = "/xmpp-websocket?room=r1&previd=tok",
               bool offer_xmpp = true, beast::error_code* error = nullptr) {
    Opened o;
    o.ws = std::make_unique<Client>(connect(port));
    o.ws->set_option(websocket::stream_base::decorator([offer_xmpp](websocket::request_type& r) {
        if (offer_xmpp) r.set(http::field::sec_websocket_protocol, "xmpp");
        r.set(http::field::origin, "https://meet.example");
        r.set(http::field::cookie, "jitsi=1");
        r.set(http::field::user_agent, "Mozilla/5.0 ws-test");
        r.set("X-Forwarded-For", "203.0.113.50");
    }));
    o.ws->read_message_max(64 << 20);
    beast::error_code ec;
    o.ws->handshake(o.response, "meet.example", target, ec);
    if (error) *error = ec;
    else if (ec) throw beast::system_error(ec);
    return o;
}

std::string read_text(Client& ws, bool* text = nullptr) {
    beast::flat_buffer b;
    ws.read(b);
    if (text) *text = ws.got_text();
    return beast::buffers_to_string(b.data());
}

// Reads until the connection ends; returns the close reason received (code none: no close
// frame came). A peer that fails the connection (RFC 6455 §7.1.7, e.g. 1009) sends its close
// frame and drops TCP at once, so the read may end with a transport error after the frame.
websocket::close_reason read_until_closed(Client& ws) {
    for (;;) {
        beast::flat_buffer b;
        beast::error_code ec;
        ws.read(b, ec);
        if (ec) return ws.reason();
    }
}

} // namespace

TEST_CASE("WebSocket: handshake echoes the subprotocol - messages unchanged both ways - "
          "client close relayed",
          "[relay][ws]") {
    WsUpstream up;
    Upstream bosh([](const Request&, int) { return Reply{}; });
    Relay relay(config(bosh.port(), up.port()));

    auto c = open_ws(relay.port());
    CHECK(c.response.result_int() == 101);
    CHECK(c.response[http::field::sec_websocket_protocol] == "xmpp");
    CHECK(c.response[http::field::sec_websocket_extensions].empty()); // no permessage-deflate

    const auto upgrades = up.upgrades();
    REQUIRE(upgrades.size() == 1);
    const auto& u = upgrades[0];
    CHECK(u.target() == "/xmpp-websocket?room=r1&previd=tok");
    CHECK(u[http::field::host] == "meet.example");
    CHECK(u[http::field::sec_websocket_protocol] == "xmpp");
    CHECK(u[http::field::origin] == "https://meet.example");
    CHECK(u[http::field::cookie] == "jitsi=1");
    CHECK(u[http::field::user_agent] == "Mozilla/5.0 ws-test");
    CHECK(u["X-Forwarded-For"] == "203.0.113.50, 127.0.0.1");
    CHECK(u[http::field::sec_websocket_extensions].empty()); // not offered upstream

    const std::string open = "<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' to='meet.example' "
                             "version='1.0'/>";
    c.ws->text(true);
    c.ws->write(net::buffer(open));
    bool text = false;
    CHECK(read_text(*c.ws, &text) == open);
    CHECK(text);

    const std::string binary("\x00\x01\xff\xfe binary \x80", 13);
    c.ws->binary(true);
    c.ws->write(net::buffer(binary));
    CHECK(read_text(*c.ws, &text) == binary);
    CHECK_FALSE(text);

    c.ws->text(true);
    c.ws->write(net::buffer(std::string())); // empty message
    CHECK(read_text(*c.ws, &text).empty());

    c.ws->close({static_cast<websocket::close_code>(4000), "client says bye"});
    CHECK(c.ws->reason().code == 4000); // the echo, read by close()
    REQUIRE(up.wait_closes(1));
    CHECK(up.closes()[0] == std::make_pair(4000u, std::string("client says bye")));

    const auto received = up.received();
    REQUIRE(received.size() == 3);
    CHECK(received[0] == std::make_pair(true, open));
    CHECK(received[1] == std::make_pair(false, binary));

    REQUIRE(relay.tap.wait_for("ws_closed", 1));
    std::this_thread::sleep_for(50ms);
    const auto events = relay.tap.events();
    REQUIRE(events.size() == 8); // open, 3 x (client, server), closed
    CHECK(events.front().kind == "ws_open");
    CHECK(events.front().meta.client_ip == "203.0.113.50");
    CHECK(events.front().meta.user_agent == "Mozilla/5.0 ws-test");
    CHECK(events.front().meta.target == "/xmpp-websocket?room=r1&previd=tok");
    CHECK(events[1].kind == "ws_message");
    CHECK(events[1].from_client);
    CHECK(events[1].body == open);
    CHECK(events[2].body == open);
    CHECK_FALSE(events[2].from_client);
    CHECK(events[3].body == binary);
    CHECK(events.back().kind == "ws_closed");
    for (const auto& e : events) CHECK(e.id == events.front().id);
    CHECK(relay.tap.count("ws_closed") == 1);
    CHECK(relay.stats().ws_messages == 6);
    CHECK(relay.stats().ws_connections_open == 0);
}

TEST_CASE("WebSocket: no subprotocol offered, none chosen", "[relay][ws]") {
    WsUpstream up;
    Relay relay(config(closed_port(), up.port()));
    auto c = open_ws(relay.port(), "/xmpp-websocket", false);
    CHECK(c.response[http::field::sec_websocket_protocol].empty());
    c.ws->write(net::buffer(std::string("x")));
    CHECK(read_text(*c.ws) == "x");
    c.ws->close(websocket::close_code::normal);
}

TEST_CASE("WebSocket: server close (code and reason) reaches the client", "[relay][ws]") {
    WsUpstream up;
    Relay relay(config(closed_port(), up.port()));
    auto c = open_ws(relay.port());
    c.ws->write(net::buffer(std::string("close-me")));
    const auto reason = read_until_closed(*c.ws);
    CHECK(reason.code == 4001);
    CHECK(std::string(reason.reason.data(), reason.reason.size()) == "server says bye");
    REQUIRE(relay.tap.wait_for("ws_closed", 1));
    std::this_thread::sleep_for(50ms);
    CHECK(relay.tap.count("ws_closed") == 1);
}

TEST_CASE("WebSocket: oversized message closes that connection with 1009, others unaffected",
          "[relay][ws]") {
    WsUpstream up;
    auto cfg = config(closed_port(), up.port());
    cfg.ws_max_message = 4096;
    Relay relay(cfg);

    auto bystander = open_ws(relay.port());

    SECTION("from the client") {
        auto c = open_ws(relay.port());
        c.ws->write(net::buffer(std::string(8192, 'x')));
        CHECK(read_until_closed(*c.ws).code == websocket::close_code::too_big);
        REQUIRE(up.wait_closes(1));
        CHECK(up.closes()[0].first == websocket::close_code::too_big);
    }
    SECTION("from the server") {
        auto c = open_ws(relay.port());
        c.ws->write(net::buffer(std::string("big:8192")));
        CHECK(read_until_closed(*c.ws).code == websocket::close_code::too_big);
        // Beast fails the upstream hop (RFC 6455 §7.1.7): close 1009, then TCP is dropped with
        // the rest of the oversized message unread, so the reset may overtake the close frame.
        REQUIRE(up.wait_ended(1));
        for (const auto& [code, reason] : up.closes()) CHECK(code == websocket::close_code::too_big);
    }
    REQUIRE(relay.tap.wait_for("ws_closed", 1));

    bystander.ws->write(net::buffer(std::string("still here")));
    CHECK(read_text(*bystander.ws) == "still here");
    CHECK(relay.tap.count("ws_closed") == 1);
    bystander.ws->close(websocket::close_code::normal);
    REQUIRE(relay.tap.wait_for("ws_closed", 2));
}

TEST_CASE("WebSocket: an upstream refusal reaches the client unchanged", "[relay][ws]") {
    WsUpstream up(raw_response(403, "Forbidden",
                               {{"Content-Type", "text/plain"}, {"X-Reason", "room locked"}},
                               "not allowed"));
    Relay relay(config(closed_port(), up.port()));
    beast::error_code ec;
    auto c = open_ws(relay.port(), "/xmpp-websocket?room=locked", true, &ec);
    CHECK(ec == websocket::error::upgrade_declined);
    CHECK(c.response.result_int() == 403);
    CHECK(c.response["X-Reason"] == "room locked");
    CHECK(c.response.body() == "not allowed");
    CHECK(relay.tap.events().empty());
}

TEST_CASE("WebSocket: unreachable upstream -> 502, no upstream configured -> 502",
          "[relay][ws]") {
    beast::error_code ec;
    {
        Relay relay(config(closed_port(), closed_port()));
        auto c = open_ws(relay.port(), "/xmpp-websocket", true, &ec);
        CHECK(ec == websocket::error::upgrade_declined);
        CHECK(c.response.result_int() == 502);
        CHECK_THAT(c.response.body(), Catch::Contains("connect failed"));
    }
    {
        Relay relay(config(closed_port()));
        auto c = open_ws(relay.port(), "/xmpp-websocket", true, &ec);
        CHECK(c.response.result_int() == 502);
        CHECK_THAT(c.response.body(), Catch::Contains("no WebSocket upstream"));
    }
}

TEST_CASE("WebSocket: stop sends 1001 both ways and run() returns", "[relay][ws][stop]") {
    WsUpstream up;
    Relay relay(config(closed_port(), up.port()));
    auto c = open_ws(relay.port());
    c.ws->write(net::buffer(std::string("hello")));
    CHECK(read_text(*c.ws) == "hello");
    std::thread reader([&] {
        CHECK(read_until_closed(*c.ws).code == websocket::close_code::going_away);
    });
    const auto took = relay.stop_and_join(3000ms);
    reader.join();
    CHECK(took < 2500ms);
    REQUIRE(up.wait_closes(1));
    CHECK(up.closes()[0].first == websocket::close_code::going_away);
    CHECK(relay.tap.count("ws_closed") == 1);
}
