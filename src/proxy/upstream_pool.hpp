#pragma once
// Idle keep-alive connections to the upstreams: one pool per worker, shared by the connections
// on its thread (a socket belongs to its worker's io_context).
#include "executors.hpp"

#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace boshtap::proxy {

class UpstreamPool {
public:
    // max_idle: per upstream; idle_ttl: older idle connections are closed instead of reused
    // (servers close idle keep-alive connections on their own schedule).
    UpstreamPool(std::size_t max_idle, std::chrono::steady_clock::duration idle_ttl);

    // An idle connection to `key` (host:port) that still looks open, if any. The socket has
    // no pending operations.
    std::optional<IoSocket> take(const std::string& key);
    // Returns a connection whose last response was complete and keep-alive.
    void give(const std::string& key, IoSocket socket);
    void clear();
    std::size_t idle() const;

private:
    struct Idle {
        IoSocket socket;
        std::chrono::steady_clock::time_point since;
    };
    const std::size_t max_idle_;
    const std::chrono::steady_clock::duration idle_ttl_;
    mutable std::mutex mutex_;
    std::map<std::string, std::deque<Idle>> idle_;
};

} // namespace boshtap::proxy
