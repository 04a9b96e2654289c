#pragma once
// What every connection of one Server shares.
#include "boshtap/proxy/client_ip.hpp"
#include "boshtap/proxy/server.hpp"
#include "boshtap/proxy/stats.hpp"
#include "boshtap/proxy/tap.hpp"
#include "registry.hpp"
#include "upstream_pool.hpp"

#include "executors.hpp"

#include <atomic>
#include <string>
#include <utility>

namespace boshtap::proxy {

struct Context {
    Context(ServerConfig config, Tap& tap_, ServerStats& stats_, IoExecutor io_)
        : cfg(std::move(config)), tap(tap_), stats(stats_), trusted(parse_cidrs(cfg.trusted_proxies)),
          pool(cfg.upstream_pool_max_idle, cfg.upstream_pool_idle_ttl), io(std::move(io_)),
          upstream_host(host_field(cfg.upstream)),
          ws_upstream_host(cfg.ws_upstream ? host_field(*cfg.ws_upstream) : std::string()) {}

    // host_field() of one of the configured upstreams, made once: the stand-in Host field
    // and the upstream pool's key.
    const std::string& host(const UpstreamUrl& upstream) const {
        return &upstream == &cfg.upstream ? upstream_host : ws_upstream_host;
    }

    const ServerConfig cfg;
    Tap& tap;
    ServerStats& stats;
    const std::vector<Cidr> trusted;
    UpstreamPool pool;
    Registry registry;
    // Upstream sockets live on the plain io_context executor (not a strand) because pooled
    // connections move between client connections; every handler is bound to the strand of
    // the connection using the socket at the time.
    IoExecutor io;

private:
    const std::string upstream_host;
    const std::string ws_upstream_host;
};

// Counts an open downstream connection for as long as it lives (moves with the socket from the
// HTTP session to the WebSocket relay).
class OpenConnection {
public:
    explicit OpenConnection(ServerStats& stats) : stats_(&stats) {
        stats_->connections_open.fetch_add(1, std::memory_order_relaxed);
    }
    OpenConnection(OpenConnection&& other) noexcept : stats_(std::exchange(other.stats_, nullptr)) {}
    OpenConnection& operator=(OpenConnection&&) = delete;
    ~OpenConnection() {
        if (stats_) stats_->connections_open.fetch_sub(1, std::memory_order_relaxed);
    }

private:
    ServerStats* stats_;
};

} // namespace boshtap::proxy
