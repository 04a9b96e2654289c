#pragma once
// What the admin endpoint serves: /healthz, /metrics (Prometheus), /rooms (JSON).
#include "boshtap/app/admin_server.hpp"
#include "boshtap/app/auditor.hpp"
#include "boshtap/proxy/server.hpp"
#include "boshtap/proxy/stats.hpp"

#include <boost/asio/io_context.hpp>

#include <atomic>
#include <memory>
#include <string>

namespace boshtap::app {

// Readiness of the upstream: a TCP connect every few seconds on the admin thread.
class UpstreamProbe {
public:
    UpstreamProbe(boost::asio::io_context&, proxy::UpstreamUrl);
    ~UpstreamProbe();
    void start();
    bool reachable() const { return reachable_.load(std::memory_order_relaxed); }

private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
    std::atomic<bool> reachable_{false};
};

std::string render_metrics(const proxy::ServerStats&, const AuditStats&);

AdminHandler make_admin_handler(const proxy::ServerStats&, Auditor&, const UpstreamProbe&);

} // namespace boshtap::app
