#pragma once
// The auditor: implements proxy::Tap. Every copy the relays hand over is queued for the
// auditor's own thread (woken only when asleep), which decodes, runs the core (BoshTap, WsTap ->
// Tracker) and writes the events. The relays never wait: past `queue_limit` bytes of backlog, copies are dropped and
// counted (a dropped response still tells the core its exchange failed).
#include "boshtap/app/audit_inbox.hpp"
#include "boshtap/app/config.hpp"
#include "boshtap/core/bosh_tap.hpp"
#include "boshtap/core/tracker.hpp"
#include "boshtap/core/ws_tap.hpp"
#include "boshtap/proxy/tap.hpp"
#include "boshtap/sinks/diagnostics.hpp"
#include "boshtap/sinks/event_format.hpp"
#include "boshtap/sinks/event_log.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <atomic>
#include <future>
#include <cstdint>
#include <optional>
#include <thread>
#include <vector>

namespace boshtap::app {

// Published by the auditor thread for the metrics and health endpoints (relaxed atomics).
struct AuditStats {
    static constexpr std::size_t reasons = 11; // core::LeaveReason values
    std::atomic<std::uint64_t> copies_dropped{0}; // backlog over queue_limit
    std::atomic<std::uint64_t> bytes_queued{0};   // backlog now
    std::atomic<std::uint64_t> parse_issues{0};   // bodies/messages the core could not use
    std::array<std::atomic<std::uint64_t>, 3> events{}; // by core::EventKind
    std::array<std::atomic<std::uint64_t>, reasons> leaves{}; // by core::LeaveReason
    // Gauges, refreshed after every batch.
    std::atomic<std::uint64_t> occupants{0};
    std::atomic<std::uint64_t> rooms{0};
    std::atomic<std::uint64_t> bosh_sessions{0};
    std::atomic<std::uint64_t> ws_connections{0};
    // The event log (its own stats live on the auditor thread).
    std::atomic<std::uint64_t> log_written{0};
    std::atomic<std::uint64_t> log_dropped{0};
    std::atomic<std::uint64_t> log_opens{0};
    std::atomic<bool> log_ok{true};
    // Liveness: steady-clock milliseconds of the auditor's last timer tick.
    std::atomic<std::int64_t> heartbeat_ms{0};
};

class Auditor final : public proxy::Tap {
public:
    Auditor(const RunConfig&, sinks::EventLog&, sinks::Diagnostics&);
    ~Auditor() override;

    void start();
    // Processes what is queued, closes every open occupant (`shutdown`), flushes, joins.
    void finish();
    // Posts a reopen of the event log to the auditor thread (SIGHUP).
    void reopen_log();
    // The rooms and occupants now, as JSON (built on the auditor thread).
    std::future<std::string> rooms_json();

    boost::asio::io_context& context() { return io_; }
    const AuditStats& stats() const { return stats_; }

    void http_request(std::uint64_t exchange, proxy::ClientMeta meta, std::string body) override;
    void http_response(std::uint64_t exchange, unsigned status, std::string content_encoding,
                       std::string body) override;
    void http_failed(std::uint64_t exchange) override;
    void ws_open(std::uint64_t conn, const proxy::ClientMeta&) override;
    void ws_message(std::uint64_t conn, bool from_client, std::string payload) override;
    void ws_closed(std::uint64_t conn) override;

private:
    void enqueue(AuditCopy&& copy);
    bool drain();
    void drain_and_poll();
    void process(AuditCopy& copy);
    bool admit(std::size_t bytes);
    void release(std::size_t bytes);
    core::TimePoint clock(core::TimePoint stamped);
    void write(core::Events&);
    void note(core::TapIssue, std::string_view where);
    void schedule_tick();
    void publish();

    const RunConfig& config_;
    sinks::EventLog& log_;
    sinks::Diagnostics& diag_;
    boost::asio::io_context io_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
    boost::asio::steady_timer ticker_;
    boost::asio::steady_timer poll_; // keeps the auditor awake while copies keep coming
    core::Tracker tracker_;
    core::BoshTap bosh_;
    core::WsTap ws_;
    sinks::EventFormat format_;
    core::Events events_; // reused buffer
    AuditInbox inbox_;
    std::vector<AuditCopy> batch_; // the auditor thread's side of the inbox
    core::TimePoint last_now_{};
    AuditStats stats_;
    std::thread thread_;
};

} // namespace boshtap::app
