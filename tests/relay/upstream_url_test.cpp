#include "boshtap/proxy/server.hpp"

#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>

using boshtap::proxy::parse_upstream_url;

TEST_CASE("upstream URLs parse into host, port and path", "[upstream_url]") {
    struct Row {
        const char* url;
        bool ws;
        const char* host;
        std::uint16_t port;
        const char* path;
    };
    const Row rows[] = {
        {"http://127.0.0.1:5280/http-bind", false, "127.0.0.1", 5280, "/http-bind"},
        {"http://prosody/http-bind", false, "prosody", 80, "/http-bind"},
        {"HTTP://xmpp.local:7070", false, "xmpp.local", 7070, "/"},
        {"http://[::1]:5280/http-bind/", false, "::1", 5280, "/http-bind/"},
        {"http://[fd00::5]/bosh", false, "fd00::5", 80, "/bosh"},
        {"ws://127.0.0.1:5280/xmpp-websocket", true, "127.0.0.1", 5280, "/xmpp-websocket"},
        {"ws://localhost:65535/ws", true, "localhost", 65535, "/ws"},
    };
    for (const auto& r : rows) {
        INFO(r.url);
        const auto u = parse_upstream_url(r.url, r.ws);
        CHECK(u.host == r.host);
        CHECK(u.port == r.port);
        CHECK(u.path == r.path);
    }
}

TEST_CASE("bad upstream URLs are rejected with a message that says why", "[upstream_url]") {
    struct Row {
        const char* url;
        bool ws;
        const char* says;
    };
    const Row rows[] = {
        {"127.0.0.1:5280/http-bind", false, "missing scheme"},
        {"", false, "missing scheme"},
        {"https://x/http-bind", false, "TLS"},
        {"wss://x/ws", true, "TLS"},
        {"ws://x/http-bind", false, "scheme must be http://"},
        {"http://x/ws", true, "scheme must be ws://"},
        {"http:///http-bind", false, "missing host"},
        {"http://:5280/http-bind", false, "missing host"},
        {"http://x:0/", false, "invalid port '0'"},
        {"http://x:65536/", false, "invalid port '65536'"},
        {"http://x:52a/", false, "invalid port '52a'"},
        {"http://x:/", false, "invalid port ''"},
        {"http://::1:5280/", false, "brackets"},
        {"http://[::1/", false, "unterminated"},
        {"http://[::1]x/", false, "after ']'"},
        {"http://user:pw@x/", false, "user information"},
        {"http://x/http-bind?a=b", false, "query"},
        {"http://x/http-bind#f", false, "fragment"},
    };
    for (const auto& r : rows) {
        INFO(r.url);
        try {
            parse_upstream_url(r.url, r.ws);
            FAIL("accepted");
        } catch (const std::invalid_argument& e) {
            CHECK_THAT(e.what(), Catch::Contains(r.says));
            CHECK_THAT(e.what(), Catch::Contains(r.url));
        }
    }
}

TEST_CASE("the Host field names the upstream, an IPv6 literal in brackets", "[upstream_url]") {
    using boshtap::proxy::host_field;
    CHECK(host_field(parse_upstream_url("http://127.0.0.1:5280/http-bind", false)) ==
          "127.0.0.1:5280");
    CHECK(host_field(parse_upstream_url("http://prosody/http-bind", false)) == "prosody:80");
    CHECK(host_field(parse_upstream_url("http://[::1]:5280/http-bind", false)) == "[::1]:5280");
    CHECK(host_field(parse_upstream_url("ws://[fd00::5]/xmpp-websocket", true)) == "[fd00::5]:80");
}
