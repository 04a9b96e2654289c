#pragma once
// Relay counters (relaxed atomics; read by the metrics endpoint).
#include <atomic>
#include <cstdint>

namespace boshtap::proxy {

struct ServerStats {
    std::atomic<std::uint64_t> connections_accepted{0};
    std::atomic<std::uint64_t> connections_open{0};
    std::atomic<std::uint64_t> requests_forwarded{0};
    std::atomic<std::uint64_t> request_bytes{0};
    std::atomic<std::uint64_t> response_bytes{0};
    std::atomic<std::uint64_t> upstream_errors{0};    // connect/read/write failures -> 502
    std::atomic<std::uint64_t> upstream_timeouts{0};  // -> 504
    std::atomic<std::uint64_t> rejected_too_large{0}; // -> 413
    std::atomic<std::uint64_t> bad_requests{0};       // -> 400
    std::atomic<std::uint64_t> ws_connections_open{0};
    std::atomic<std::uint64_t> ws_messages{0};
    std::atomic<std::uint64_t> ws_bytes{0};
};

} // namespace boshtap::proxy
