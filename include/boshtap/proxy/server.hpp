#pragma once
// The relay server: accepts nginx's connections, routes the BOSH path to the BOSH upstream and
// the WebSocket path (upgrades and Jitsi's plain keep-alive GET) to the WebSocket upstream.
#include "boshtap/proxy/tap.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace boshtap::proxy {

// "http://host:port/path" or "ws://host:port/path" (https/wss are not supported: boshtap sits
// on the private side of nginx).
struct UpstreamUrl {
    std::string host;
    std::uint16_t port = 80;
    std::string path = "/";
};
// Throws std::invalid_argument with a message that says what is wrong.
UpstreamUrl parse_upstream_url(const std::string& url, bool websocket);
// The Host field that names the upstream, sent when the client's request has none: host:port,
// an IPv6 literal in brackets (RFC 9110 §7.2, RFC 3986 §3.2.2).
std::string host_field(const UpstreamUrl& upstream);

struct ServerConfig {
    std::string listen_address = "127.0.0.1";
    std::uint16_t listen_port = 5280;             // 0: pick a free port (tests)
    std::string bosh_path = "/http-bind";         // also matches with a trailing '/'
    std::string ws_path = "/xmpp-websocket";      // also matches with a trailing '/'
    UpstreamUrl upstream;                         // BOSH
    std::optional<UpstreamUrl> ws_upstream;       // none: upgrades get 502 with a message
    std::size_t body_limit = 1 << 20;             // request and response bodies; 413 / 502
    std::size_t header_limit = 16 << 10;
    std::size_t ws_max_message = 1 << 20;         // larger: close 1009
    std::chrono::seconds upstream_timeout{180};   // > BOSH wait (Prosody caps at 120) + margin
    std::chrono::seconds client_idle_timeout{300};// > nginx's upstream keepalive_timeout
    std::chrono::seconds connect_timeout{10};
    std::size_t upstream_pool_max_idle = 64;     // per upstream host:port and I/O thread
    std::chrono::seconds upstream_pool_idle_ttl{30};// idle longer: closed, not reused
    std::vector<std::string> trusted_proxies{"127.0.0.1/32", "::1/128"}; // CIDRs
    unsigned threads = 1;
};

struct ServerStats; // counters, see stats.hpp

class Server {
public:
    // Binds the listening socket (throws std::system_error naming the address on failure).
    Server(ServerConfig, Tap&);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    std::uint16_t port() const; // the bound port (useful with listen_port = 0)

    // Runs the I/O threads; returns after stop() and drain.
    void run();
    // Graceful: stop accepting, let requests in flight finish up to `drain`, then close all.
    // Thread-safe, callable from a signal handler's asio callback.
    void stop(std::chrono::milliseconds drain);

    const ServerStats& stats() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace boshtap::proxy
