#pragma once
// What every connection of one Server shares.
#include "boshtap/proxy/client_ip.hpp"
#include "boshtap/proxy/server.hpp"
#include "boshtap/proxy/stats.hpp"
#include "boshtap/proxy/tap.hpp"
#include "delayed_watches.hpp"
#include "registry.hpp"
#include "upstream_pool.hpp"

#include "executors.hpp"

#include <boost/asio/io_context.hpp>

#include <atomic>
#include <cstddef>
#include <memory>
#include <string>
#include <utility>

namespace boshtap::proxy {

// One I/O thread: its io_context and what only the connections on it use, so that threads
// share no lock per request (the pool's mutex is taken by its own thread only, but for clear()
// at shutdown). Members in this order: destroying the io_context destroys the connections
// still on it, which count themselves out of `connections`; the pool's sockets and the
// watches' timer belong to the io_context and go before it.
struct Worker {
    // An exchange open this long may be a held long-poll: only then is nginx's socket watched
    // for a client that gives up (see DelayedWatches).
    static constexpr auto client_watch_delay = std::chrono::milliseconds(50);

    explicit Worker(const ServerConfig& cfg)
        : pool(cfg.upstream_pool_max_idle, cfg.upstream_pool_idle_ttl),
          watches(std::make_shared<DelayedWatches>(io.get_executor(), client_watch_delay)) {}

    std::atomic<std::size_t> connections{0}; // open downstream connections on this thread
    boost::asio::io_context io{1};           // run by exactly one thread
    UpstreamPool pool;
    std::shared_ptr<DelayedWatches> watches;
};

struct Context {
    Context(ServerConfig config, Tap& tap_, ServerStats& stats_)
        : cfg(std::move(config)), tap(tap_), stats(stats_), trusted(parse_cidrs(cfg.trusted_proxies)),
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
    Registry registry;

private:
    const std::string upstream_host;
    const std::string ws_upstream_host;
};

// Counts an open downstream connection for as long as it lives, in the server's gauge and in
// its worker's load (moves with the socket from the HTTP session to the WebSocket relay).
class OpenConnection {
public:
    OpenConnection(ServerStats& stats, Worker& worker) : stats_(&stats), worker_(&worker) {
        stats_->connections_open.fetch_add(1, std::memory_order_relaxed);
        worker_->connections.fetch_add(1, std::memory_order_relaxed);
    }
    OpenConnection(OpenConnection&& other) noexcept
        : stats_(std::exchange(other.stats_, nullptr)),
          worker_(std::exchange(other.worker_, nullptr)) {}
    OpenConnection& operator=(OpenConnection&&) = delete;
    ~OpenConnection() {
        if (!stats_) return;
        stats_->connections_open.fetch_sub(1, std::memory_order_relaxed);
        worker_->connections.fetch_sub(1, std::memory_order_relaxed);
    }
    Worker& worker() const { return *worker_; }

private:
    ServerStats* stats_;
    Worker* worker_;
};

} // namespace boshtap::proxy
