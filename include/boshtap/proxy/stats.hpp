#pragma once
// Relay counters (relaxed atomics; read by the metrics endpoint).
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <vector>

namespace boshtap::proxy {

// Request duration (arrival of the request head to the end of the response), in fixed buckets
// from 1 ms to 150 s: BOSH long-polls are held up to `wait`, so the top buckets matter.
struct LatencyHistogram {
    static const std::vector<double>& bounds() // seconds, the Prometheus `le` values
    {
        static const std::vector<double> b{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                           0.5,   1,      2.5,   5,    10,    30,   60,  90,
                                           120,   150};
        return b;
    }
    std::array<std::atomic<std::uint64_t>, 19> buckets{}; // bounds().size() + the +Inf bucket
    std::atomic<std::uint64_t> sum_us{0};

    void record(std::chrono::steady_clock::duration d)
    {
        const auto us = std::chrono::duration_cast<std::chrono::microseconds>(d).count();
        const double s = static_cast<double>(us) / 1e6;
        std::size_t i = 0;
        while (i < bounds().size() && s > bounds()[i]) ++i;
        buckets[i].fetch_add(1, std::memory_order_relaxed);
        sum_us.fetch_add(static_cast<std::uint64_t>(us < 0 ? 0 : us), std::memory_order_relaxed);
    }
};

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
    std::atomic<std::uint64_t> handler_exceptions{0}; // a handler threw: its connection closed
    std::atomic<std::uint64_t> ws_connections_open{0};
    std::atomic<std::uint64_t> ws_messages{0};
    std::atomic<std::uint64_t> ws_bytes{0};
    LatencyHistogram latency;
};

} // namespace boshtap::proxy
