#include "boshtap/app/admin_routes.hpp"

#include "boshtap/core/event.hpp"
#include "boshtap/sinks/prometheus.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/json.hpp>

#include <chrono>

namespace boshtap::app {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// --- upstream probe -----------------------------------------------------------------------

struct UpstreamProbe::Impl : std::enable_shared_from_this<UpstreamProbe::Impl> {
    Impl(asio::io_context& io, proxy::UpstreamUrl url, std::atomic<bool>& out)
        : io(io), url(std::move(url)), resolver(io), timer(io), reachable(out)
    {
    }
    asio::io_context& io;
    proxy::UpstreamUrl url;
    tcp::resolver resolver;
    asio::steady_timer timer;
    std::atomic<bool>& reachable;
    bool stopped = false;

    void probe()
    {
        resolver.async_resolve(
            url.host, std::to_string(url.port),
            [self = shared_from_this()](boost::system::error_code ec,
                                        tcp::resolver::results_type results) {
                if (self->stopped) return;
                if (ec) return self->done(false);
                auto stream = std::make_shared<boost::beast::tcp_stream>(self->io);
                stream->expires_after(std::chrono::seconds(2));
                stream->async_connect(results, [self, stream](boost::system::error_code ec,
                                                              const tcp::endpoint&) {
                    self->done(!ec);
                });
            });
    }

    void done(bool ok)
    {
        reachable.store(ok, std::memory_order_relaxed);
        if (stopped) return;
        timer.expires_after(std::chrono::seconds(5));
        timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
            if (!ec && !self->stopped) self->probe();
        });
    }
};

UpstreamProbe::UpstreamProbe(asio::io_context& io, proxy::UpstreamUrl url)
    : impl_(std::make_shared<Impl>(io, std::move(url), reachable_))
{
}

UpstreamProbe::~UpstreamProbe()
{
    impl_->stopped = true;
}

void UpstreamProbe::start()
{
    asio::post(impl_->io, [impl = impl_] { impl->probe(); });
}

// --- metrics ------------------------------------------------------------------------------

std::string render_metrics(const proxy::ServerStats& s, const AuditStats& a)
{
    constexpr auto r = std::memory_order_relaxed;
    auto num = [](const std::atomic<std::uint64_t>& v) {
        return static_cast<double>(v.load(std::memory_order_relaxed));
    };
    sinks::PrometheusText p;

    p.family("boshtap_events_total", "counter", "Events written to the event log, by type");
    for (auto kind : {core::EventKind::join, core::EventKind::nick_change}) {
        p.sample("boshtap_events_total", num(a.events[static_cast<std::size_t>(kind)]),
                 {{"event", std::string(core::to_string(kind))}});
    }
    for (std::size_t i = 0; i < AuditStats::reasons; ++i) {
        p.sample("boshtap_events_total", num(a.leaves[i]),
                 {{"event", "leave"},
                  {"reason", std::string(core::to_string(static_cast<core::LeaveReason>(i)))}});
    }
    p.family("boshtap_occupants", "gauge", "Occupants in rooms now");
    p.sample("boshtap_occupants", num(a.occupants));
    p.family("boshtap_rooms", "gauge", "Rooms with at least one proxied member or occupant now");
    p.sample("boshtap_rooms", num(a.rooms));
    p.family("boshtap_sessions", "gauge", "XMPP sessions tracked now, by transport");
    p.sample("boshtap_sessions", num(a.bosh_sessions), {{"transport", "bosh"}});
    p.sample("boshtap_sessions", num(a.ws_connections), {{"transport", "websocket"}});

    p.family("boshtap_connections_accepted_total", "counter", "Client connections accepted");
    p.sample("boshtap_connections_accepted_total", num(s.connections_accepted));
    p.family("boshtap_connections_open", "gauge", "Client connections open now");
    p.sample("boshtap_connections_open", num(s.connections_open));
    p.family("boshtap_requests_total", "counter", "HTTP requests forwarded with a response");
    p.sample("boshtap_requests_total", num(s.requests_forwarded));
    p.family("boshtap_request_bytes_total", "counter", "Request body bytes forwarded upstream");
    p.sample("boshtap_request_bytes_total", num(s.request_bytes));
    p.family("boshtap_response_bytes_total", "counter", "Response body bytes forwarded to clients");
    p.sample("boshtap_response_bytes_total", num(s.response_bytes));
    p.family("boshtap_upstream_errors_total", "counter",
             "Upstream exchanges that failed (502) or timed out (504)");
    p.sample("boshtap_upstream_errors_total", num(s.upstream_errors), {{"kind", "error"}});
    p.sample("boshtap_upstream_errors_total", num(s.upstream_timeouts), {{"kind", "timeout"}});
    p.family("boshtap_rejected_requests_total", "counter", "Requests refused by boshtap");
    p.sample("boshtap_rejected_requests_total", num(s.rejected_too_large), {{"reason", "too_large"}});
    p.sample("boshtap_rejected_requests_total", num(s.bad_requests), {{"reason", "bad_request"}});
    p.family("boshtap_handler_exceptions_total", "counter",
             "Exceptions out of a connection's handler (the connection was closed, the I/O "
             "thread went on)");
    p.sample("boshtap_handler_exceptions_total", num(s.handler_exceptions));
    p.family("boshtap_request_duration_seconds", "histogram",
             "Time from a request's arrival to its response's end (BOSH long-polls included)");
    {
        std::vector<std::uint64_t> counts;
        for (const auto& b : s.latency.buckets) counts.push_back(b.load(r));
        p.histogram("boshtap_request_duration_seconds", proxy::LatencyHistogram::bounds(), counts,
                    static_cast<double>(s.latency.sum_us.load(r)) / 1e6);
    }
    p.family("boshtap_websocket_connections_open", "gauge", "WebSocket connections open now");
    p.sample("boshtap_websocket_connections_open", num(s.ws_connections_open));
    p.family("boshtap_websocket_messages_total", "counter", "WebSocket messages relayed");
    p.sample("boshtap_websocket_messages_total", num(s.ws_messages));
    p.family("boshtap_websocket_bytes_total", "counter", "WebSocket payload bytes relayed");
    p.sample("boshtap_websocket_bytes_total", num(s.ws_bytes));

    p.family("boshtap_parse_errors_total", "counter",
             "Bodies or messages the detector could not use (forwarded unchanged)");
    p.sample("boshtap_parse_errors_total", num(a.parse_issues));
    p.family("boshtap_dropped_copies_total", "counter",
             "Traffic copies dropped because the auditor was behind (--queue-limit)");
    p.sample("boshtap_dropped_copies_total", num(a.copies_dropped));
    p.family("boshtap_auditor_backlog_bytes", "gauge", "Traffic copies waiting for the auditor");
    p.sample("boshtap_auditor_backlog_bytes", num(a.bytes_queued));
    p.family("boshtap_log_lines_total", "counter", "Event log lines written");
    p.sample("boshtap_log_lines_total", num(a.log_written));
    p.family("boshtap_dropped_events_total", "counter",
             "Events that could not be written (disk full, log directory gone)");
    p.sample("boshtap_dropped_events_total", num(a.log_dropped));
    p.family("boshtap_log_rotations_total", "counter", "Event log rotations and reopens");
    p.sample("boshtap_log_rotations_total",
             a.log_opens.load(r) > 0 ? static_cast<double>(a.log_opens.load(r) - 1) : 0.0);
    p.family("boshtap_log_writable", "gauge", "1 when the last event log write succeeded");
    p.sample("boshtap_log_writable", a.log_ok.load(r) ? 1 : 0);
    return p.text();
}

// --- routes -------------------------------------------------------------------------------

AdminHandler make_admin_handler(const proxy::ServerStats& server, Auditor& auditor,
                                const UpstreamProbe& probe)
{
    return [&server, &auditor, &probe](std::string_view path, std::string_view) -> AdminResponse {
        if (path == "/healthz") {
            using namespace std::chrono;
            const auto now_ms =
                duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
            const auto beat = auditor.stats().heartbeat_ms.load(std::memory_order_relaxed);
            // Liveness: the auditor's 1 s timer fired recently. Readiness: upstream and log.
            const bool live = beat != 0 && now_ms - beat < 5000;
            const bool upstream = probe.reachable();
            const bool log = auditor.stats().log_ok.load(std::memory_order_relaxed);
            const bool ok = live && upstream && log;
            boost::json::object body{
                {"status", ok ? "ok" : "fail"},
                {"checks",
                 {{"auditor", live ? "ok" : "stalled"},
                  {"upstream", upstream ? "ok" : "unreachable"},
                  {"event_log", log ? "ok" : "write failing"}}}};
            return {ok ? 200u : 503u, "application/json",
                    boost::json::serialize(body) + "\n"};
        }
        if (path == "/metrics")
            return {200, "text/plain; version=0.0.4; charset=utf-8",
                    render_metrics(server, auditor.stats())};
        if (path == "/rooms") {
            auto rooms = auditor.rooms_json();
            if (rooms.wait_for(std::chrono::seconds(2)) != std::future_status::ready)
                return {503, "text/plain; charset=utf-8", "the auditor is busy; try again\n"};
            return {200, "application/json", rooms.get() + "\n"};
        }
        return {404, "text/plain; charset=utf-8",
                "boshtap admin: /healthz, /metrics, /rooms\n"};
    };
}

} // namespace boshtap::app
