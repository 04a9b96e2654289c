// The WebSocket relay (RFC 6455 / RFC 7395) against in-test WebSocket endpoints. The relay
// splices, so the Beast client and the Beast upstream are the two real ends of one connection;
// a few tests drive one end with hand-made frames where Beast cannot behave as needed.
#include "relay_fixture.hpp"

#include "boshtap/core/ws_frames.hpp"

#include <catch2/catch.hpp>

#include <boost/asio/local/connect_pair.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <functional>

#include <sys/socket.h>

using namespace relay_test;
namespace websocket = beast::websocket;

namespace {

using Client = websocket::stream<tcp::socket>;

struct Opened {
    std::unique_ptr<Client> ws;
    websocket::response_type response;
};

Opened open_ws(std::uint16_t port, const std::string& target = "/xmpp-websocket?room=r1&previd=tok",
               bool offer_xmpp = true, beast::error_code* error = nullptr,
               bool offer_deflate = false) {
    Opened o;
    o.ws = std::make_unique<Client>(connect(port));
    if (offer_deflate) {
        websocket::permessage_deflate pmd;
        pmd.client_enable = true;
        o.ws->set_option(pmd);
    }
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

// One upstream connection driven by hand: `serve` gets the socket and the upgrade request.
class HandUpstream {
public:
    using Serve = std::function<void(tcp::socket&, const Request&)>;
    explicit HandUpstream(Serve serve)
        : acceptor_(ioc_, {net::ip::make_address("127.0.0.1"), 0}),
          port_(acceptor_.local_endpoint().port()), thread_([this, serve = std::move(serve)] {
              tcp::socket socket(ioc_);
              beast::error_code ec;
              acceptor_.accept(socket, ec);
              if (ec) return;
              beast::flat_buffer buffer; // the client sends nothing before the 101
              Request req;
              http::read(socket, buffer, req, ec);
              if (!ec) serve(socket, req);
          }) {}
    ~HandUpstream() {
        ::shutdown(acceptor_.native_handle(), SHUT_RDWR);
        thread_.join();
    }
    std::uint16_t port() const { return port_; }

private:
    net::io_context ioc_;
    tcp::acceptor acceptor_;
    std::uint16_t port_;
    std::thread thread_;
};

// The 101 Beast would answer `req` with (subprotocol xmpp), as bytes: Beast writes it into a
// socket pair, so the test can send it together with frames in one write.
std::string switching_head(const Request& req) {
    net::io_context ioc;
    net::local::stream_protocol::socket a(ioc), b(ioc);
    net::local::connect_pair(a, b);
    websocket::stream<net::local::stream_protocol::socket&> ws(a);
    ws.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(http::field::sec_websocket_protocol, "xmpp"); }));
    ws.accept(req);
    std::string head;
    net::read_until(b, net::dynamic_buffer(head), "\r\n\r\n");
    return head;
}

// An unmasked (server) text frame with a payload under 126 bytes.
std::string server_text(const std::string& payload) {
    return std::string("\x81") + static_cast<char>(payload.size()) + payload;
}

// What one end reads on the raw socket until the end of stream: messages and "close CODE
// REASON", in order.
std::vector<std::string> read_frames(tcp::socket& socket, bool masked) {
    boshtap::core::WsFrameDecoder decoder(masked, 1 << 20);
    std::vector<std::string> seen;
    char chunk[4096];
    for (;;) {
        beast::error_code ec;
        const auto n = socket.read_some(net::buffer(chunk), ec);
        std::string_view rest(chunk, n);
        while (!rest.empty()) {
            const bool closed_before = decoder.close_seen();
            rest.remove_prefix(decoder.feed(rest));
            if (decoder.message_ready()) seen.push_back(decoder.take_message());
            if (!closed_before && decoder.close_seen())
                seen.push_back("close " + std::to_string(decoder.close_code()) + " " +
                               std::string(decoder.close_reason()));
        }
        if (ec) return seen;
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

TEST_CASE("WebSocket: stop sends 1001 to the client, drops the server's side, run() returns",
          "[relay][ws][stop]") {
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
    // The server sees its stream end without a close frame (nor the client's close reply):
    // a drop it keeps resumable (XEP-0198) for the client's next connection.
    REQUIRE(up.wait_ended(1));
    CHECK(up.closes().empty());
    CHECK(relay.tap.count("ws_closed") == 1);
}

TEST_CASE("WebSocket: a client that drops TCP without a close frame looks like a drop upstream",
          "[relay][ws]") {
    WsUpstream up;
    Relay relay(config(closed_port(), up.port()));
    auto c = open_ws(relay.port());
    c.ws->write(net::buffer(std::string("hello")));
    CHECK(read_text(*c.ws) == "hello");

    const auto dropped = std::chrono::steady_clock::now();
    c.ws->next_layer().close();
    REQUIRE(relay.tap.wait_for("ws_closed", 1, 1000ms));
    CHECK(std::chrono::steady_clock::now() - dropped < 100ms); // not after the server
    REQUIRE(up.wait_ended(1));
    CHECK(up.closes().empty()); // the server saw the end of stream, no close frame
    // The upstream closes in turn; then the relay lets go of the connection.
    for (int i = 0; i < 100 && relay.stats().ws_connections_open != 0; ++i)
        std::this_thread::sleep_for(10ms);
    CHECK(relay.stats().ws_connections_open == 0);
    CHECK(relay.tap.count("ws_closed") == 1);
}

TEST_CASE("WebSocket: what the server sends before answering the client's close reaches the "
          "client",
          "[relay][ws]") {
    std::vector<std::string> server_saw;
    HandUpstream up([&](tcp::socket& socket, const Request& req) {
        net::write(socket, net::buffer(switching_head(req)));
        // Read the client's frames until its close, then send a message and only then the
        // close reply (as ejabberd does with <r/> of XEP-0198).
        boshtap::core::WsFrameDecoder decoder(true, 1 << 20);
        char chunk[4096];
        beast::error_code ec;
        while (!decoder.close_seen() && !ec) {
            const auto n = socket.read_some(net::buffer(chunk), ec);
            std::string_view rest(chunk, n);
            while (!rest.empty()) rest.remove_prefix(decoder.feed(rest));
        }
        server_saw.push_back("close " + std::to_string(decoder.close_code()) + " " +
                             std::string(decoder.close_reason()));
        std::this_thread::sleep_for(50ms);
        net::write(socket, net::buffer(server_text("<r xmlns='urn:xmpp:sm:3'/>") +
                                       boshtap::core::ws_close_frame(4002, "server bye",
                                                                     std::nullopt)));
        socket.shutdown(tcp::socket::shutdown_send, ec); // RFC 6455 §7.1.1: server closes TCP
        while (!ec) socket.read_some(net::buffer(chunk), ec);
    });
    Relay relay(config(closed_port(), up.port()));
    auto c = open_ws(relay.port());
    auto& raw = c.ws->next_layer();
    const std::array<unsigned char, 4> mask{1, 2, 3, 4};
    net::write(raw, net::buffer(boshtap::core::ws_close_frame(1000, "client bye", mask)));
    const auto got = read_frames(raw, false);
    REQUIRE(got.size() == 2);
    CHECK(got[0] == "<r xmlns='urn:xmpp:sm:3'/>");
    CHECK(got[1] == "close 4002 server bye");
    raw.close();
    REQUIRE(relay.tap.wait_for("ws_closed", 1));
    CHECK(server_saw == std::vector<std::string>{"close 1000 client bye"});
    const auto events = relay.tap.events();
    REQUIRE(events.size() == 3);
    CHECK(events[1].body == "<r xmlns='urn:xmpp:sm:3'/>");
    CHECK_FALSE(events[1].from_client);
}

TEST_CASE("WebSocket: pings are answered by the real peer", "[relay][ws]") {
    WsUpstream up;
    Relay relay(config(closed_port(), up.port()));
    auto c = open_ws(relay.port());
    std::vector<std::string> pongs;
    c.ws->control_callback([&](websocket::frame_type kind, beast::string_view payload) {
        if (kind == websocket::frame_type::pong) pongs.emplace_back(payload);
    });
    c.ws->ping("p1");
    c.ws->write(net::buffer(std::string("after the ping")));
    CHECK(read_text(*c.ws) == "after the ping"); // the pong arrives before the echo
    CHECK(pongs == std::vector<std::string>{"p1"}); // one pong: the upstream's, none of boshtap's
    CHECK(up.pings() == std::vector<std::string>{"p1"});
    c.ws->close(websocket::close_code::normal);
    REQUIRE(relay.tap.wait_for("ws_closed", 1));
    CHECK(relay.tap.count("ws_message") == 2); // pings and pongs are not messages
}

TEST_CASE("WebSocket: frames sent right behind the 101 in the same segment are not lost",
          "[relay][ws]") {
    HandUpstream up([](tcp::socket& socket, const Request& req) {
        net::write(socket, net::buffer(switching_head(req) + server_text("early bird") +
                                       server_text("second")));
        beast::error_code ec;
        char chunk[512];
        while (!ec) socket.read_some(net::buffer(chunk), ec);
    });
    Relay relay(config(closed_port(), up.port()));
    auto c = open_ws(relay.port());
    CHECK(c.response[http::field::sec_websocket_protocol] == "xmpp");
    CHECK(read_text(*c.ws) == "early bird");
    CHECK(read_text(*c.ws) == "second");
    REQUIRE(relay.tap.wait_for("ws_message", 2));
    const auto events = relay.tap.events();
    CHECK(events[1].body == "early bird");
    CHECK(events[2].body == "second");
}

TEST_CASE("WebSocket: extensions stay off the wire", "[relay][ws]") {
    SECTION("an offered permessage-deflate is not forwarded") {
        WsUpstream up;
        Relay relay(config(closed_port(), up.port()));
        auto c = open_ws(relay.port(), "/xmpp-websocket", true, nullptr, true);
        REQUIRE(up.upgrades().size() == 1);
        CHECK(up.upgrades()[0][http::field::sec_websocket_extensions].empty());
        CHECK(c.response[http::field::sec_websocket_extensions].empty());
        c.ws->write(net::buffer(std::string(2000, 'z')));
        CHECK(read_text(*c.ws) == std::string(2000, 'z'));
        REQUIRE(relay.tap.wait_for("ws_message", 2));
        CHECK(relay.tap.events()[1].body == std::string(2000, 'z'));
        c.ws->close(websocket::close_code::normal);
    }
    SECTION("an upstream that agrees to one anyway: 502") {
        HandUpstream up([](tcp::socket& socket, const Request& req) {
            auto head = switching_head(req);
            head.insert(head.size() - 2, "Sec-WebSocket-Extensions: permessage-deflate\r\n");
            beast::error_code ec;
            net::write(socket, net::buffer(head), ec);
            char chunk[512];
            while (!ec) socket.read_some(net::buffer(chunk), ec);
        });
        Relay relay(config(closed_port(), up.port()));
        beast::error_code ec;
        auto c = open_ws(relay.port(), "/xmpp-websocket", true, &ec);
        CHECK(ec == websocket::error::upgrade_declined);
        CHECK(c.response.result_int() == 502);
        CHECK_THAT(c.response.body(), Catch::Contains("extension"));
        CHECK(relay.tap.events().empty());
    }
}

TEST_CASE("WebSocket: a frame the tap cannot decode is forwarded; the peer rejects it",
          "[relay][ws]") {
    WsUpstream up;
    Relay relay(config(closed_port(), up.port()));
    auto c = open_ws(relay.port());
    auto& raw = c.ws->next_layer();
    // Text frame with RSV1 set (no extension was negotiated), masked, one byte.
    net::write(raw, net::buffer(std::string("\xc1\x81\x00\x00\x00\x00x", 7)));
    const auto got = read_frames(raw, false);
    REQUIRE_FALSE(got.empty());
    CHECK(got.back() == "close 1002 "); // the upstream's verdict (RFC 6455 §7.4.1), not boshtap's
    raw.close();
    REQUIRE(relay.tap.wait_for("ws_closed", 1));
    CHECK(relay.tap.count("ws_message") == 0);
}
