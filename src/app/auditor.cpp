#include "boshtap/app/auditor.hpp"

#include "boshtap/core/event_json.hpp"
#include "boshtap/core/gzip.hpp"
#include "boshtap/proxy/thread_name.hpp"

#include <boost/json.hpp>

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

namespace boshtap::app {

namespace {

core::TimePoint wall_now()
{
    return std::chrono::time_point_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now());
}

// By value: a request's metadata is moved in, a WebSocket opening's copied.
core::HttpMeta to_meta(proxy::ClientMeta m)
{
    return core::HttpMeta{std::move(m.client_ip), std::move(m.user_agent), std::move(m.target)};
}

// A decoded response larger than this is not parsed (a decompression bomb must not win).
constexpr std::size_t max_decoded_body = std::size_t{16} << 20;
// How long the auditor keeps taking copies on its own after a batch (see drain_and_poll).
constexpr auto poll_interval = std::chrono::milliseconds(1);
// Small fixed cost charged per queued copy on top of its payload.
constexpr std::size_t copy_overhead = 256;

} // namespace

Auditor::Auditor(const RunConfig& config, sinks::EventLog& log, sinks::Diagnostics& diag)
    : config_(config), log_(log), diag_(diag), work_(io_.get_executor()), ticker_(io_),
      poll_(io_),
      tracker_(config.tracker), bosh_(tracker_, config.bosh), ws_(tracker_, config.ws),
      format_(config.privacy)
{
}

Auditor::~Auditor()
{
    if (thread_.joinable()) finish();
}

void Auditor::start()
{
    schedule_tick();
    thread_ = std::thread([this] {
        proxy::name_this_thread("boshtap-audit");
        io_.run();
    });
}

void Auditor::schedule_tick()
{
    ticker_.expires_after(std::chrono::seconds(1));
    ticker_.async_wait([this](const boost::system::error_code& ec) {
        if (ec) return;
        bosh_.tick(clock(wall_now()), events_);
        ws_.tick(clock(wall_now()), events_);
        log_.follow_path(); // a log moved or deleted without SIGHUP
        write(events_);
        stats_.heartbeat_ms.store(std::chrono::duration_cast<std::chrono::milliseconds>(
                                      std::chrono::steady_clock::now().time_since_epoch())
                                      .count(),
                                  std::memory_order_relaxed);
        schedule_tick();
    });
}

void Auditor::publish()
{
    constexpr auto r = std::memory_order_relaxed;
    stats_.occupants.store(tracker_.open_occupants(), r);
    stats_.rooms.store(tracker_.open_rooms(), r);
    stats_.bosh_sessions.store(bosh_.open_sessions(), r);
    stats_.ws_connections.store(ws_.open_connections(), r);
    const auto& log = log_.stats();
    stats_.log_written.store(log.written, r);
    stats_.log_dropped.store(log.dropped, r);
    stats_.log_opens.store(log.opens, r);
    stats_.log_ok.store(!log_.broken(), r);
}

std::future<std::string> Auditor::rooms_json()
{
    auto promise = std::make_shared<std::promise<std::string>>();
    auto result = promise->get_future();
    boost::asio::post(io_, [this, promise] {
        boost::json::array rooms;
        for (const auto& room : tracker_.rooms()) {
            boost::json::array occupants;
            for (const auto& o : room.occupants) {
                boost::json::object j;
                j["occupant"] = o.occupant;
                j["nick"] = o.nick ? boost::json::value(*o.nick) : nullptr;
                j["jid"] = o.jid ? boost::json::value(*o.jid) : nullptr;
                j["source"] = core::to_string(o.source);
                j["transport"] = core::to_string(o.conn.transport);
                j["conn"] = o.conn.id;
                j["client_ip"] = o.conn.client_ip;
                j["joined_at"] = core::format_timestamp(o.joined);
                format_.redact(j); // the log's privacy policy applies here too
                occupants.push_back(std::move(j));
            }
            rooms.push_back(boost::json::object{{"room", room.room},
                                                {"occupants", std::move(occupants)}});
        }
        promise->set_value(boost::json::serialize(boost::json::object{{"rooms", std::move(rooms)}}));
    });
    return result;
}

void Auditor::finish()
{
    if (!thread_.joinable()) return;
    boost::asio::post(io_, [this] {
        ticker_.cancel();
        poll_.cancel();
        drain(); // copies queued while awake have no post of their own
        tracker_.shutdown(clock(wall_now()), events_);
        write(events_);
        work_.reset();
    });
    thread_.join();
}

void Auditor::reopen_log()
{
    boost::asio::post(io_, [this] {
        if (log_.reopen()) spdlog::info("event log {} reopened", log_.path());
    });
}

bool Auditor::admit(std::size_t bytes)
{
    const auto queued = stats_.bytes_queued.fetch_add(bytes, std::memory_order_relaxed);
    if (queued + bytes <= config_.queue_limit) return true;
    stats_.bytes_queued.fetch_sub(bytes, std::memory_order_relaxed);
    stats_.copies_dropped.fetch_add(1, std::memory_order_relaxed);
    diag_.report("auditor backlog",
                 "the auditor is behind by more than --queue-limit; traffic copies are dropped "
                 "(forwarding is not affected, events may be missing)");
    return false;
}

void Auditor::release(std::size_t bytes)
{
    stats_.bytes_queued.fetch_sub(bytes, std::memory_order_relaxed);
}

core::TimePoint Auditor::clock(core::TimePoint stamped)
{
    // Copies are stamped on the relay threads; keep the core's clock monotonic.
    if (stamped > last_now_) last_now_ = stamped;
    return last_now_;
}

void Auditor::write(core::Events& events)
{
    for (const auto& e : events) {
        stats_.events[static_cast<std::size_t>(e.kind)].fetch_add(1, std::memory_order_relaxed);
        if (e.kind == core::EventKind::leave)
            stats_.leaves[static_cast<std::size_t>(e.reason)].fetch_add(1,
                                                                        std::memory_order_relaxed);
        log_.write(format_.line(e));
    }
    events.clear();
    publish();
}

void Auditor::note(core::TapIssue issue, std::string_view where)
{
    if (issue == core::TapIssue::none) return;
    stats_.parse_issues.fetch_add(1, std::memory_order_relaxed);
    static constexpr const char* what[] = {"",
                                           "not well-formed XML",
                                           "not a BOSH <body>",
                                           "unknown BOSH sid",
                                           "stale exchange",
                                           "rid outside the session's window"};
    diag_.report(fmt::format("{}: {}", where, what[static_cast<int>(issue)]),
                 "ignored for the audit log; the traffic was forwarded unchanged");
}

void Auditor::enqueue(AuditCopy&& copy)
{
    copy.at = wall_now();
    if (inbox_.push(std::move(copy)))
        boost::asio::post(io_, [this] { drain_and_poll(); });
}

bool Auditor::drain()
{
    if (!inbox_.take(batch_)) return false; // asleep now: the next copy wakes us
    for (auto& copy : batch_) {
        process(copy);
        if (copy.charged != 0) release(copy.charged);
    }
    batch_.clear();
    write(events_); // once per batch
    return true;
}

void Auditor::drain_and_poll()
{
    if (!drain()) return;
    // Stay awake a moment: what arrives meanwhile is taken by this timer, so a relay thread
    // under steady traffic never pays for a wake-up (a system call or two each). The events
    // are on disk at most this much later.
    poll_.expires_after(poll_interval);
    poll_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) drain_and_poll();
    });
}

void Auditor::process(AuditCopy& copy)
{
    const auto now = clock(copy.at);
    switch (copy.kind) {
    case AuditCopy::Kind::request:
        return note(bosh_.on_request(copy.id, copy.meta, copy.body, now, events_), "BOSH request");
    case AuditCopy::Kind::response:
        if (!copy.encoding.empty() && copy.encoding != "identity") {
            auto decoded = core::decode_content(copy.encoding, copy.body, max_decoded_body);
            if (!decoded) {
                diag_.report("BOSH response: undecodable " + copy.encoding,
                             "ignored for the audit log; forwarded unchanged");
                stats_.parse_issues.fetch_add(1, std::memory_order_relaxed);
                return bosh_.on_failed(copy.id, now, events_);
            }
            copy.body = std::move(*decoded);
        }
        return note(bosh_.on_response(copy.id, copy.status, copy.body, now, events_),
                    "BOSH response");
    case AuditCopy::Kind::failed:
        return bosh_.on_failed(copy.id, now, events_);
    case AuditCopy::Kind::ws_open:
        return ws_.on_open(std::to_string(copy.id), copy.meta, now);
    case AuditCopy::Kind::ws_message: {
        const auto dir = copy.from_client ? core::Direction::client_to_server
                                          : core::Direction::server_to_client;
        return note(ws_.on_message(std::to_string(copy.id), dir, copy.body, now, events_),
                    "WebSocket message");
    }
    case AuditCopy::Kind::ws_closed:
        return ws_.on_closed(std::to_string(copy.id), now, events_);
    }
}

void Auditor::http_request(std::uint64_t exchange, proxy::ClientMeta meta, std::string body)
{
    const auto size = body.size() + copy_overhead;
    if (!admit(size)) return; // the core sees a gap in rids; the response releases it
    AuditCopy copy;
    copy.kind = AuditCopy::Kind::request;
    copy.id = exchange;
    copy.charged = size;
    copy.meta = to_meta(std::move(meta));
    copy.body = std::move(body);
    enqueue(std::move(copy));
}

void Auditor::http_response(std::uint64_t exchange, unsigned status, std::string encoding,
                            std::string body)
{
    const auto size = body.size() + copy_overhead;
    if (!admit(size)) {
        http_failed(exchange);
        return;
    }
    AuditCopy copy;
    copy.kind = AuditCopy::Kind::response;
    copy.id = exchange;
    copy.status = status;
    copy.charged = size;
    copy.encoding = std::move(encoding);
    copy.body = std::move(body);
    enqueue(std::move(copy));
}

void Auditor::http_failed(std::uint64_t exchange)
{
    // Never dropped: it is tiny and it frees the core's rid order.
    AuditCopy copy;
    copy.kind = AuditCopy::Kind::failed;
    copy.id = exchange;
    enqueue(std::move(copy));
}

void Auditor::ws_open(std::uint64_t conn, const proxy::ClientMeta& meta)
{
    AuditCopy copy;
    copy.kind = AuditCopy::Kind::ws_open;
    copy.id = conn;
    copy.meta = to_meta(meta);
    enqueue(std::move(copy));
}

void Auditor::ws_message(std::uint64_t conn, bool from_client, std::string payload)
{
    const auto size = payload.size() + copy_overhead;
    if (!admit(size)) return;
    AuditCopy copy;
    copy.kind = AuditCopy::Kind::ws_message;
    copy.id = conn;
    copy.from_client = from_client;
    copy.charged = size;
    copy.body = std::move(payload);
    enqueue(std::move(copy));
}

void Auditor::ws_closed(std::uint64_t conn)
{
    AuditCopy copy;
    copy.kind = AuditCopy::Kind::ws_closed;
    copy.id = conn;
    enqueue(std::move(copy));
}

} // namespace boshtap::app
