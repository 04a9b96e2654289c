// The HTTP (BOSH) relay against in-test upstreams.
#include "relay_fixture.hpp"

#include <catch2/catch.hpp>

#include <boost/asio/write.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

using namespace relay_test;

namespace {

const std::string kBody =
    "<body rid='1573741820' sid='SomeSID' xmlns='http://jabber.org/protocol/httpbind'>"
    "<presence to='room@conference.meet.example/abcd1234'/></body>";
const std::string kReply =
    "<body xmlns='http://jabber.org/protocol/httpbind'><message from='a@b/c'>hi</message></body>";

Reply ok(const std::string& body = kReply,
         std::vector<std::pair<std::string, std::string>> headers = {
             {"Content-Type", "text/xml; charset=utf-8"}}) {
    return {raw_response(200, "OK", headers, body)};
}

// kBody to the BOSH path with a Host, framed: ready to write.
Request bosh_post() {
    auto req = post("/http-bind", kBody);
    req.set(http::field::host, "meet.example");
    req.prepare_payload();
    return req;
}

} // namespace

TEST_CASE("POST on the BOSH path: bytes unchanged both ways, query appended, tapped",
          "[relay][http]") {
    Upstream up([](const Request&, int) {
        return ok(kReply, {{"Content-Type", "text/xml; charset=utf-8"},
                           {"Access-Control-Allow-Origin", "*"},
                           {"Connection", "keep-alive, X-Hop"},
                           {"X-Hop", "secret"},
                           {"Keep-Alive", "timeout=30"}});
    });
    Relay relay(config(up.port()));

    auto req = post("/http-bind?room=lobby&prefix=", kBody);
    req.set(http::field::host, "meet.example");
    req.set(http::field::user_agent, "Mozilla/5.0 test");
    req.set("X-Forwarded-For", "198.51.100.7");
    req.set(http::field::connection, "keep-alive, X-Private");
    req.set("X-Private", "hop");
    req.set("TE", "trailers");
    const auto res = exchange(relay.port(), req);

    CHECK(res.result_int() == 200);
    CHECK(res.body() == kReply);
    CHECK(res[http::field::content_type] == "text/xml; charset=utf-8");
    CHECK(res["Access-Control-Allow-Origin"] == "*");
    CHECK(res["X-Hop"].empty());
    CHECK(res["Keep-Alive"].empty());

    const auto seen = up.requests();
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].method() == http::verb::post);
    CHECK(seen[0].target() == "/http-bind?room=lobby&prefix=");
    CHECK(seen[0].version() == 11);
    CHECK(seen[0].body() == kBody);
    CHECK(seen[0][http::field::host] == "meet.example");
    CHECK(seen[0][http::field::user_agent] == "Mozilla/5.0 test");
    CHECK(seen[0]["X-Forwarded-For"] == "198.51.100.7, 127.0.0.1");
    CHECK(seen[0]["X-Private"].empty());
    CHECK(seen[0]["TE"].empty());

    REQUIRE(relay.tap.wait_for("http_response", 1));
    const auto events = relay.tap.events();
    REQUIRE(events.size() == 2);
    CHECK(events[0].kind == "http_request");
    CHECK(events[0].body == kBody);
    CHECK(events[0].meta.client_ip == "198.51.100.7"); // loopback nginx is trusted
    CHECK(events[0].meta.user_agent == "Mozilla/5.0 test");
    CHECK(events[0].meta.target == "/http-bind?room=lobby&prefix=");
    CHECK(events[1].kind == "http_response");
    CHECK(events[1].id == events[0].id);
    CHECK(events[1].status == 200);
    CHECK(events[1].encoding.empty());
    CHECK(events[1].body == kReply);
    CHECK(relay.stats().requests_forwarded == 1);
    CHECK(relay.stats().request_bytes == kBody.size());
    CHECK(relay.stats().response_bytes == kReply.size());
}

TEST_CASE("trailing slash, OPTIONS preflight and GET are forwarded - only POST is tapped",
          "[relay][http]") {
    Upstream up([](const Request& req, int) {
        if (req.method() == http::verb::options)
            return Reply{raw_response(200, "OK",
                                      {{"Access-Control-Allow-Methods", "GET, POST, OPTIONS"}}, "")};
        return ok("get-answer");
    });
    Relay relay(config(up.port()));

    Request options{http::verb::options, "/http-bind/", 11};
    options.set("Origin", "https://meet.example");
    auto res = exchange(relay.port(), options);
    CHECK(res.result_int() == 200);
    CHECK(res["Access-Control-Allow-Methods"] == "GET, POST, OPTIONS");
    CHECK(res.body().empty());

    res = exchange(relay.port(), Request{http::verb::get, "/http-bind", 11});
    CHECK(res.body() == "get-answer");

    const auto seen = up.requests();
    REQUIRE(seen.size() == 2);
    CHECK(seen[0].method() == http::verb::options);
    CHECK(seen[0].target() == "/http-bind");
    CHECK(seen[0]["Origin"] == "https://meet.example");
    CHECK(relay.tap.events().empty());
}

TEST_CASE("HTTP/1.0 with close, and keep-alive HTTP/1.1 from nginx", "[relay][http]") {
    Upstream up([](const Request&, int) { return ok(); });
    Relay relay(config(up.port()));

    const auto raw = raw_exchange(relay.port(), "POST /http-bind HTTP/1.0\r\nHost: meet.example\r\n"
                                                "Content-Length: " +
                                                    std::to_string(kBody.size()) + "\r\n\r\n" +
                                                    kBody);
    CHECK(raw.rfind("HTTP/1.0 200 OK\r\n", 0) == 0);
    CHECK(raw.find("Content-Length: " + std::to_string(kReply.size()) + "\r\n") != std::string::npos);
    CHECK(raw.size() >= kReply.size());
    CHECK(raw.substr(raw.size() - kReply.size()) == kReply);

    // One nginx connection, several requests.
    auto socket = connect(relay.port());
    beast::flat_buffer buffer;
    for (int i = 0; i < 3; ++i) {
        const auto res = exchange(socket, buffer, post("/http-bind", kBody));
        CHECK(res.result_int() == 200);
        CHECK(res.keep_alive());
        CHECK(res.body() == kReply);
    }
    CHECK(relay.stats().connections_accepted == 2);
}

TEST_CASE("upstream connections are kept alive and reused", "[relay][http][pool]") {
    Upstream up([](const Request&, int) { return ok(); });
    auto cfg = config(up.port());
    cfg.threads = 1; // each I/O thread keeps its own upstream connections
    Relay relay(std::move(cfg));
    for (int i = 0; i < 5; ++i) { // a new client connection each time
        const auto res = exchange(relay.port(), post("/http-bind", kBody));
        CHECK(res.body() == kReply);
    }
    CHECK(up.accepts() == 1);
    CHECK(up.requests().size() == 5);
}

TEST_CASE("a pooled connection that turns out dead is retried once on a fresh one",
          "[relay][http][pool]") {
    // The upstream answers the first request on a connection, then drops the second unanswered
    // (as a server does when its keep-alive timeout races the next request).
    Upstream up([](const Request&, int index) {
        if (index == 1) return Reply{"", false, 0ms, false, true};
        return ok();
    });
    auto cfg = config(up.port());
    cfg.threads = 1; // the second client connection must find the first one's pooled connection
    Relay relay(std::move(cfg));
    CHECK(exchange(relay.port(), post("/http-bind", kBody)).result_int() == 200);
    const auto res = exchange(relay.port(), post("/http-bind", kBody));
    CHECK(res.result_int() == 200);
    CHECK(res.body() == kReply);
    CHECK(up.accepts() == 2);
    CHECK(up.requests().size() == 3);
    CHECK(relay.stats().upstream_errors == 0);
}

TEST_CASE("a TRACE with content is forwarded like any request and harms nothing",
          "[relay][http][framing]") {
    // Beast's prepare_payload() throws for it: that exception once ended the I/O thread (and
    // with it boshtap) from one request.
    Upstream up([](const Request&, int) { return ok(); });
    Relay relay(config(up.port()));

    const auto raw = raw_exchange(relay.port(), "TRACE /http-bind HTTP/1.1\r\nHost: meet.example\r\n"
                                                "Connection: close\r\nContent-Length: 3\r\n\r\nabc");
    CHECK(raw.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
    const auto seen = up.requests();
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].method() == http::verb::trace);
    CHECK(seen[0][http::field::content_length] == "3");
    CHECK(seen[0].body() == "abc");

    const auto res = exchange(relay.port(), post("/http-bind", kBody));
    CHECK(res.result_int() == 200);
    CHECK(res.body() == kReply);
    CHECK(relay.stats().handler_exceptions == 0);
}

TEST_CASE("the forwarded request keeps the client's field lines in order and spelling",
          "[relay][http][framing]") {
    // End-to-end fields go upstream as received; hop-by-hop ones, Expect and the client's
    // X-Forwarded-For and Content-Length are left out; ours follow: X-Forwarded-For, Host when
    // the client sent none (or none that may be passed on), then the framing.
    Upstream up([](const Request&, int) { return ok(); });
    Relay relay(config(up.port()));
    const auto fields_of = [](const Request& req) {
        std::vector<std::string> out;
        for (const auto& f : req) out.push_back(std::string(f.name_string()) + ": " + std::string(f.value()));
        return out;
    };

    raw_exchange(relay.port(), "POST /http-bind?room=a HTTP/1.1\r\nhost: meet.example\r\n"
                               "X-Custom:  a b \r\nconnection: close, X-Private\r\n"
                               "X-Private: p\r\nContent-Length: " + std::to_string(kBody.size()) +
                               "\r\nx-forwarded-for: 198.51.100.7\r\nUser-Agent: UA\r\n"
                               "Keep-Alive: timeout=5\r\nCookie: a=b\r\nCookie: c=d\r\n"
                               "X-FORWARDED-FOR: 198.51.100.8\r\n\r\n" + kBody);
    raw_exchange(relay.port(), "GET /http-bind HTTP/1.0\r\nAccept: */*\r\nHost:\r\n\r\n");
    raw_exchange(relay.port(), "GET /http-bind HTTP/1.1\r\nHost: meet.example\r\n"
                               "Connection: close, host\r\n\r\n");
    const auto seen = up.requests();
    REQUIRE(seen.size() == 3);
    CHECK(seen[0].target() == "/http-bind?room=a");
    CHECK(fields_of(seen[0]) ==
          std::vector<std::string>{"host: meet.example", "X-Custom: a b", "User-Agent: UA",
                                   "Cookie: a=b", "Cookie: c=d",
                                   "X-Forwarded-For: 198.51.100.7, 198.51.100.8, 127.0.0.1",
                                   "Content-Length: " + std::to_string(kBody.size())});
    CHECK(seen[0].body() == kBody);
    // An empty Host is replaced by the upstream's; a GET without content gets no framing.
    CHECK(seen[1].version() == 11);
    CHECK(fields_of(seen[1]) ==
          std::vector<std::string>{"Accept: */*", "X-Forwarded-For: 127.0.0.1",
                                   "Host: 127.0.0.1:" + std::to_string(up.port())});
    // A Host the client named hop-by-hop is not passed on; the upstream's stands in for it.
    CHECK(fields_of(seen[2]) ==
          std::vector<std::string>{"X-Forwarded-For: 127.0.0.1",
                                   "Host: 127.0.0.1:" + std::to_string(up.port())});
}

TEST_CASE("the response head keeps the upstream's reason phrase and field lines",
          "[relay][http][framing]") {
    // The relay writes the head itself (not through Beast's serializer): the status line with
    // the reason as received, every end-to-end field in its order and spelling, then ours.
    Upstream up([](const Request& req, int) {
        if (req.target() == "/http-bind?noreason")
            return Reply{"HTTP/1.1 200 \r\nContent-Length: 2\r\n\r\nok"};
        return Reply{"HTTP/1.1 202 Taken Gladly\r\nx-lower: a\r\nContent-Type: text/xml\r\n"
                     "X-Multi: 1\r\nKeep-Alive: timeout=5\r\nX-Multi: 2\r\n"
                     "Content-Length: 7\r\n\r\n<body/>"};
    });
    Relay relay(config(up.port()));

    auto raw = raw_exchange(relay.port(), "POST /http-bind HTTP/1.1\r\nHost: meet.example\r\n"
                                          "Connection: close\r\nContent-Length: " +
                                              std::to_string(kBody.size()) + "\r\n\r\n" + kBody);
    CHECK(raw == "HTTP/1.1 202 Taken Gladly\r\nx-lower: a\r\nContent-Type: text/xml\r\n"
                 "X-Multi: 1\r\nX-Multi: 2\r\nConnection: close\r\nContent-Length: 7\r\n\r\n"
                 "<body/>");

    // No reason phrase from upstream: the standard one, as Beast's serializer would write.
    raw = raw_exchange(relay.port(), "POST /http-bind?noreason HTTP/1.0\r\nContent-Length: " +
                                         std::to_string(kBody.size()) + "\r\n\r\n" + kBody);
    CHECK(raw == "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok");
}

TEST_CASE("HEAD and 204 answers keep their framing; HTTP/1.0 keep-alive is answered in kind",
          "[relay][http][framing]") {
    // A HEAD answer's Content-Length describes the body it does not carry and a 204 has none:
    // both go out as the upstream framed them. An HTTP/1.0 client that asked to keep the
    // connection is told it is kept; an HTTP/1.1 one that asked to close is told it closes.
    Upstream up([](const Request& req, int) {
        if (req.method() == http::verb::head)
            return Reply{"HTTP/1.1 200 OK\r\nContent-Length: 1234\r\nX-A: 1\r\n\r\n"};
        return Reply{"HTTP/1.1 204 No Content\r\nX-B: 2\r\n\r\n"};
    });
    Relay relay(config(up.port()));

    const auto raw = raw_exchange(relay.port(), "HEAD /http-bind HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
                                                "DELETE /http-bind HTTP/1.1\r\nHost: h\r\n"
                                                "Connection: close\r\n\r\n");
    CHECK(raw == "HTTP/1.0 200 OK\r\nContent-Length: 1234\r\nX-A: 1\r\nConnection: keep-alive\r\n\r\n"
                 "HTTP/1.1 204 No Content\r\nX-B: 2\r\nConnection: close\r\n\r\n");
    CHECK(up.requests().size() == 2);
}

TEST_CASE("chunked, close-delimited and gzip upstream bodies arrive byte-exact",
          "[relay][http][framing]") {
    // A gzip member with NUL and high bytes: the relay must not touch it.
    const std::string gz("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xb3\x49\xca\x4f\xa9\xb4\x03"
                         "\x00\x00\xff\xfe\x01\x02\x00\x00\x00",
                         26);
    Upstream up([&](const Request& req, int) {
        const auto target = req.target();
        if (target == "/http-bind?chunked")
            return Reply{"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n"
                         "Transfer-Encoding: chunked\r\n\r\n"
                         "5\r\n<body\r\n1b;ext=1\r\n xmlns='urn:x'>chunk</body>\r\n0\r\n\r\n"};
        if (target == "/http-bind?close")
            return Reply{"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nConnection: close\r\n\r\n"
                         "<body>until-close</body>",
                         true};
        return ok(gz, {{"Content-Type", "text/xml"}, {"Content-Encoding", "gzip"},
                       {"Vary", "Accept-Encoding"}});
    });
    Relay relay(config(up.port()));

    auto res = exchange(relay.port(), post("/http-bind?chunked", kBody));
    CHECK(res.body() == "<body xmlns='urn:x'>chunk</body>");
    CHECK(res[http::field::transfer_encoding].empty());
    CHECK(res[http::field::content_length] == std::to_string(res.body().size()));

    res = exchange(relay.port(), post("/http-bind?close", kBody));
    CHECK(res.body() == "<body>until-close</body>");
    CHECK(res[http::field::content_length] == "24");

    auto gz_req = post("/http-bind?gzip", kBody);
    gz_req.set(http::field::accept_encoding, "gzip");
    res = exchange(relay.port(), gz_req);
    CHECK(res.body() == gz);
    CHECK(res[http::field::content_encoding] == "gzip");
    CHECK(res[http::field::content_length] == std::to_string(gz.size()));

    REQUIRE(relay.tap.wait_for("http_response", 3));
    std::vector<TapEvent> responses;
    for (const auto& e : relay.tap.events())
        if (e.kind == "http_response") responses.push_back(e);
    CHECK(responses[0].body == "<body xmlns='urn:x'>chunk</body>");
    CHECK(responses[1].body == "<body>until-close</body>");
    CHECK(responses[2].encoding == "gzip");
    CHECK(responses[2].body == gz);
    // The close-delimited connection was not pooled: the gzip request needed a new one.
    CHECK(up.accepts() == 2);
}

TEST_CASE("a held long-poll outlives the client idle timeout", "[relay][http][timeouts]") {
    Upstream up([](const Request&, int) {
        auto r = ok();
        r.delay = 2500ms; // BOSH `wait`, scaled down
        return r;
    });
    auto cfg = config(up.port());
    cfg.client_idle_timeout = std::chrono::seconds(1);
    cfg.upstream_timeout = std::chrono::seconds(5);
    Relay relay(cfg);
    const auto start = std::chrono::steady_clock::now();
    const auto res = exchange(relay.port(), post("/http-bind", kBody));
    CHECK(res.result_int() == 200);
    CHECK(res.body() == kReply);
    CHECK(std::chrono::steady_clock::now() - start >= 2400ms);
    CHECK(relay.tap.wait_for("http_response", 1));
}

TEST_CASE("a client idle past the client idle timeout is closed: between requests, mid-header, "
          "and after a response it does not read",
          "[relay][http][timeouts]") {
    Upstream up([](const Request&, int) { return ok(); });
    auto cfg = config(up.port());
    cfg.client_idle_timeout = std::chrono::seconds(1);
    Relay relay(cfg);
    // Seconds from `since` until the relay closes `socket`, and what it sent before.
    auto until_closed = [](tcp::socket& socket, std::chrono::steady_clock::time_point since) {
        std::string got;
        beast::error_code ec;
        char chunk[4096];
        while (!ec) got.append(chunk, socket.read_some(net::buffer(chunk), ec));
        return std::pair{std::chrono::duration<double>(std::chrono::steady_clock::now() - since)
                             .count(),
                         got};
    };

    SECTION("between keep-alive requests") {
        auto socket = connect(relay.port());
        beast::flat_buffer buffer;
        auto req = bosh_post();
        CHECK(exchange(socket, buffer, req).result_int() == 200);
        std::this_thread::sleep_for(600ms); // a request inside the timeout keeps it open
        CHECK(exchange(socket, buffer, req).result_int() == 200);
        const auto answered = std::chrono::steady_clock::now();
        const auto [seconds, got] = until_closed(socket, answered);
        CHECK(got.empty());
        CHECK(seconds > 0.9);
        CHECK(seconds < 2.5);
    }
    SECTION("a request head that never ends") {
        auto socket = connect(relay.port());
        const auto sent = std::chrono::steady_clock::now();
        net::write(socket, net::buffer(std::string_view("POST /http-bind HTTP/1.1\r\nHost: x\r\n")));
        const auto [seconds, got] = until_closed(socket, sent);
        CHECK(got.empty());
        CHECK(seconds > 0.9);
        CHECK(seconds < 2.5);
        CHECK(up.requests().empty());
    }
    SECTION("a response the client does not read") {
        // A reply larger than both sockets' buffers: the write stays pending until the
        // timeout closes the connection; the exchange is still reported to the tap.
        Upstream big([](const Request&, int) { return ok(std::string(24 << 20, 'x')); });
        auto cfg_big = config(big.port());
        cfg_big.client_idle_timeout = std::chrono::seconds(1);
        cfg_big.body_limit = 32 << 20;
        Relay relay_big(cfg_big);
        auto socket = connect(relay_big.port());
        auto req = bosh_post();
        const auto sent = std::chrono::steady_clock::now();
        http::write(socket, req);
        REQUIRE(relay_big.tap.wait_for("http_response", 1, 5000ms));
        CHECK(std::chrono::steady_clock::now() - sent > 900ms);
    }
}

TEST_CASE("upstream silent past upstream_timeout -> 504", "[relay][http][timeouts]") {
    Upstream up([](const Request&, int) { return Reply{"", false, 0ms, true}; });
    auto cfg = config(up.port());
    cfg.upstream_timeout = std::chrono::seconds(1);
    Relay relay(cfg);
    const auto res = exchange(relay.port(), post("/http-bind", kBody));
    CHECK(res.result_int() == 504);
    CHECK_THAT(res.body(), Catch::Contains("did not answer in time"));
    CHECK(relay.stats().upstream_timeouts == 1);
    REQUIRE(relay.tap.wait_for("http_failed", 1));
    CHECK(relay.tap.count("http_response") == 0);
}

TEST_CASE("upstream_timeout bounds each exchange on a kept-alive connection, whatever the client "
          "idle timeout",
          "[relay][http][timeouts]") {
    // One deadline per client connection serves both timeouts; the upstream's, shorter here,
    // must still cut the second exchange on time.
    Upstream up([](const Request&, int index) {
        return index == 0 ? ok() : Reply{"", false, 0ms, true};
    });
    auto cfg = config(up.port());
    cfg.client_idle_timeout = std::chrono::seconds(30);
    cfg.upstream_timeout = std::chrono::seconds(1);
    Relay relay(cfg);
    auto socket = connect(relay.port());
    beast::flat_buffer buffer;
    auto req = bosh_post();
    CHECK(exchange(socket, buffer, req).result_int() == 200);
    std::this_thread::sleep_for(300ms);
    const auto sent = std::chrono::steady_clock::now();
    const auto res = exchange(socket, buffer, req);
    const auto took = std::chrono::steady_clock::now() - sent;
    CHECK(res.result_int() == 504);
    CHECK(took > 900ms);
    CHECK(took < 2500ms);
    CHECK(relay.stats().upstream_timeouts == 1);
}

TEST_CASE("upstream refused, dropped or garbage -> 502", "[relay][http]") {
    SECTION("connection refused") {
        Relay relay(config(closed_port()));
        const auto res = exchange(relay.port(), post("/http-bind", kBody));
        CHECK(res.result_int() == 502);
        CHECK_THAT(res.body(), Catch::Contains("connect failed"));
        CHECK(relay.stats().upstream_errors == 1);
        CHECK(relay.tap.wait_for("http_failed", 1));
    }
    SECTION("garbage instead of HTTP") {
        Upstream up([](const Request&, int) { return Reply{"SSH-2.0-OpenSSH\r\n\r\n", true}; });
        Relay relay(config(up.port()));
        const auto res = exchange(relay.port(), post("/http-bind", kBody));
        CHECK(res.result_int() == 502);
        CHECK(relay.tap.wait_for("http_failed", 1));
    }
    SECTION("response over the body limit") {
        Upstream up([](const Request&, int) { return ok(std::string(4096, 'x')); });
        auto cfg = config(up.port());
        cfg.body_limit = 1024;
        Relay relay(cfg);
        const auto res = exchange(relay.port(), post("/http-bind", kBody));
        CHECK(res.result_int() == 502);
        CHECK_THAT(res.body(), Catch::Contains("larger than the body limit"));
    }
}

TEST_CASE("request body over the limit -> 413, header over the limit -> 431", "[relay][http]") {
    Upstream up([](const Request&, int) { return ok(); });
    auto cfg = config(up.port());
    cfg.body_limit = 1024;
    cfg.header_limit = 2048;
    Relay relay(cfg);

    auto res = exchange(relay.port(), post("/http-bind", std::string(4096, 'x')));
    CHECK(res.result_int() == 413);
    CHECK_THAT(res.body(), Catch::Contains("larger than the limit of 1024 bytes"));
    CHECK_FALSE(res.keep_alive());

    auto big = post("/http-bind", kBody);
    big.set("X-Padding", std::string(4096, 'p'));
    res = exchange(relay.port(), big);
    CHECK(res.result_int() == 431);

    CHECK(relay.stats().rejected_too_large == 2);
    CHECK(up.requests().empty());
    CHECK(relay.tap.events().empty());
}

TEST_CASE("malformed requests -> 400 and close", "[relay][http]") {
    Upstream up([](const Request&, int) { return ok(); });
    Relay relay(config(up.port()));
    const std::string cases[] = {
        // RFC 9112 §6.3: Transfer-Encoding with Content-Length
        "POST /http-bind HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
        "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
        // differing Content-Lengths
        "POST /http-bind HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
        // bad chunk size
        "POST /http-bind HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
        // not HTTP at all
        "HELLO\r\n\r\n",
    };
    for (const auto& bytes : cases) {
        INFO(bytes);
        const auto raw = raw_exchange(relay.port(), bytes);
        CHECK(raw.rfind("HTTP/1.1 400 Bad Request\r\n", 0) == 0);
        CHECK(raw.find("malformed request") != std::string::npos);
    }
    CHECK(relay.stats().bad_requests == 4);
    CHECK(up.requests().empty());
}

TEST_CASE("client gone mid-exchange -> http_failed exactly once", "[relay][http]") {
    Upstream up([](const Request&, int) { return Reply{"", false, 0ms, true}; });
    Relay relay(config(up.port()));
    {
        auto socket = connect(relay.port());
        auto req = bosh_post();
        http::write(socket, req);
        REQUIRE(relay.tap.wait_for("http_request", 1));
        for (int i = 0; i < 100 && up.requests().empty(); ++i) std::this_thread::sleep_for(10ms);
        REQUIRE(up.requests().size() == 1); // held upstream now
    } // nginx drops the connection
    REQUIRE(relay.tap.wait_for("http_failed", 1, 3000ms));
    // The upstream side is released too, and nothing more is reported.
    for (int i = 0; i < 50 && up.closed_by_peer() == 0; ++i) std::this_thread::sleep_for(20ms);
    CHECK(up.closed_by_peer() == 1);
    std::this_thread::sleep_for(100ms);
    CHECK(relay.tap.count("http_failed") == 1);
    CHECK(relay.tap.count("http_response") == 0);
}

TEST_CASE("unknown paths get 404 - only configured upstreams are contacted", "[relay][http]") {
    Upstream up([](const Request&, int) { return ok(); });
    Relay relay(config(up.port()));
    for (const char* target : {"/", "/http-bind2", "/http-bindx/", "/http-bind//", "/etc/passwd"}) {
        INFO(target);
        const auto res = exchange(relay.port(), Request{http::verb::get, target, 11});
        CHECK(res.result_int() == 404);
        CHECK_THAT(res.body(), Catch::Contains("/http-bind"));
    }
    // absolute-form naming another host still goes to the configured upstream only
    auto req = post("http://evil.example:8080/http-bind?x=1", kBody);
    req.set(http::field::host, "evil.example:8080");
    CHECK(exchange(relay.port(), req).result_int() == 200);
    REQUIRE(up.requests().size() == 1);
    CHECK(up.requests()[0].target() == "/http-bind?x=1");
}

TEST_CASE("plain GET on the WebSocket path goes to the WebSocket upstream as HTTP",
          "[relay][http]") {
    Upstream ws_up([](const Request&, int) {
        return Reply{raw_response(200, "OK",
                                  {{"Content-Type", "text/plain"}, {"X-Server", "prosody"},
                                   {"Set-Cookie", "a=1"}, {"Set-Cookie", "b=2"}},
                                  "It works! Now point your WebSocket client to this URL")};
    });
    Upstream bosh_up([](const Request&, int) { return ok(); });
    Relay relay(config(bosh_up.port(), ws_up.port()));
    const auto res = exchange(relay.port(), Request{http::verb::get, "/xmpp-websocket?room=r1", 11});
    CHECK(res.result_int() == 200);
    CHECK(res.body() == "It works! Now point your WebSocket client to this URL");
    CHECK(res["X-Server"] == "prosody");
    CHECK(std::distance(res.equal_range(http::field::set_cookie).first,
                        res.equal_range(http::field::set_cookie).second) == 2);
    REQUIRE(ws_up.requests().size() == 1);
    CHECK(ws_up.requests()[0].target() == "/xmpp-websocket?room=r1");
    CHECK(bosh_up.requests().empty());
    CHECK(relay.tap.events().empty());
}

TEST_CASE("Expect: 100-continue is answered before the body is read", "[relay][http]") {
    Upstream up([](const Request&, int) { return ok(); });
    Relay relay(config(up.port()));
    auto socket = connect(relay.port());
    const std::string head = "POST /http-bind HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                             "Content-Length: " + std::to_string(kBody.size()) + "\r\n\r\n";
    net::write(socket, net::buffer(head));
    beast::flat_buffer buffer;
    http::response<http::empty_body> interim;
    http::read(socket, buffer, interim);
    CHECK(interim.result_int() == 100);
    net::write(socket, net::buffer(kBody));
    Response res;
    http::read(socket, buffer, res);
    CHECK(res.body() == kReply);
    CHECK(up.requests()[0]["Expect"].empty());
}

TEST_CASE("graceful stop: in-flight requests finish, idle connections close, run() returns",
          "[relay][http][stop]") {
    Upstream up([](const Request&, int) {
        auto r = ok();
        r.delay = 700ms;
        return r;
    });
    Relay relay(config(up.port()));
    auto idle = connect(relay.port());
    auto busy = connect(relay.port());
    auto req = bosh_post();
    http::write(busy, req);
    REQUIRE(relay.tap.wait_for("http_request", 1));

    std::thread responder([&] {
        beast::flat_buffer buffer;
        Response res;
        http::read(busy, buffer, res);
        CHECK(res.result_int() == 200);
        CHECK(res.body() == kReply);
        CHECK_FALSE(res.keep_alive()); // draining: no further requests on this connection
    });
    const auto took = relay.stop_and_join(5000ms);
    responder.join();
    CHECK(took < 3000ms); // did not wait for the whole drain period
    CHECK(relay.tap.count("http_response") == 1);
    char c;
    beast::error_code ec;
    idle.read_some(net::buffer(&c, 1), ec);
    CHECK(ec == net::error::eof);
    CHECK_THROWS(connect(relay.port()));
}

TEST_CASE("stop with a short drain cuts held requests and reports them failed",
          "[relay][http][stop]") {
    Upstream up([](const Request&, int) { return Reply{"", false, 0ms, true}; });
    Relay relay(config(up.port()));
    auto socket = connect(relay.port());
    auto req = bosh_post();
    http::write(socket, req);
    REQUIRE(relay.tap.wait_for("http_request", 1));
    const auto took = relay.stop_and_join(300ms);
    CHECK(took < 2000ms);
    CHECK(relay.tap.count("http_failed") == 1);
}

TEST_CASE("two I/O threads, many keep-alive requests: every one answered",
          "[relay][http][threads]") {
    // Regression: with two I/O threads, a stale readiness event on nginx's socket (its bytes
    // already taken by a speculative read on the other thread) completed the client-gone watch
    // with nothing to read, which was taken for end of stream: the connection was closed
    // unanswered and nginx answered 502. Header and body go in separate segments so the body
    // read often races the event its bytes raised. (The watch is now armed only for exchanges
    // open after 50 ms, which narrows that window further; the test keeps 2-thread keep-alive
    // traffic covered.)
    Upstream up([](const Request&, int) { return ok(); });
    auto cfg = config(up.port());
    cfg.threads = 2;
    Relay relay(cfg);
    const std::string body = kBody + std::string(1500, ' ');
    constexpr int kConnections = 8, kRequests = 400;
    std::atomic<int> answered{0}, failures{0};
    std::vector<std::thread> clients;
    for (int c = 0; c < kConnections; ++c)
        clients.emplace_back([&] {
            try {
                auto socket = connect(relay.port());
                socket.set_option(tcp::no_delay(true));
                beast::flat_buffer buffer;
                const std::string head = "POST /http-bind HTTP/1.1\r\nHost: meet.example\r\n"
                                         "Content-Type: text/xml\r\nContent-Length: " +
                                         std::to_string(body.size()) + "\r\n\r\n";
                for (int i = 0; i < kRequests; ++i) {
                    net::write(socket, net::buffer(head));
                    net::write(socket, net::buffer(body));
                    Response res;
                    http::read(socket, buffer, res);
                    if (res.result_int() != 200 || !res.keep_alive()) throw std::runtime_error("");
                    ++answered;
                }
            } catch (const std::exception&) {
                ++failures;
            }
        });
    for (auto& t : clients) t.join();
    CHECK(failures == 0);
    CHECK(answered == kConnections * kRequests);
    CHECK(relay.tap.count("http_failed") == 0);
}
