#include "http_session.hpp"

#include "exact_allocator.hpp"
#include "ids.hpp"
#include "request_info.hpp"
#include "responses.hpp"
#include "socket_peek.hpp"
#include "websocket_relay.hpp"
#include "wire_request.hpp"

#include <algorithm>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <fmt/format.h>

namespace boshtap::proxy {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
constexpr auto kLinger = std::chrono::seconds(2);
constexpr std::size_t kReadBuffer = 4096;

bool is_http_parse_error(const beast::error_code& ec) {
    return &ec.category() == &http::make_error_code(http::error::bad_method).category();
}

bool has_no_content(unsigned status, bool head) {
    // RFC 9110 §6.4.1: responses to HEAD, 1xx, 204 and 304 never carry content.
    return head || status / 100 == 1 || status == 204 || status == 304;
}

} // namespace

DelayedWatches::DelayedWatches(IoExecutor io, std::chrono::steady_clock::duration delay)
    : delay_(delay), tick_(delay / 5), timer_(std::move(io)) {}

void DelayedWatches::add(std::weak_ptr<HttpSession> session, std::uint64_t exchange,
                         std::chrono::steady_clock::time_point started) {
    queue_.push_back({started + delay_, std::move(session), exchange});
    if (running_) return;
    running_ = true;
    net::post(timer_.get_executor(), [self = shared_from_this()] { self->on_timer(); });
}

void DelayedWatches::on_timer() {
    const auto now = std::chrono::steady_clock::now();
    while (!queue_.empty() && queue_.front().due <= now) {
        due_.push_back(std::move(queue_.front()));
        queue_.pop_front();
    }
    if (queue_.empty()) {
        running_ = false;
    } else {
        timer_.expires_at(std::max(queue_.front().due, now + tick_));
        timer_.async_wait([self = shared_from_this()](beast::error_code) { self->on_timer(); });
    }
    // A session may add() while it is asked to watch: due_ is not touched by add().
    for (auto& entry : due_)
        if (auto session = entry.session.lock()) session->watch_if_open(entry.exchange);
    due_.clear();
}

HttpSession::HttpSession(std::shared_ptr<Context> ctx, Worker& worker, IoSocket&& socket)
    : ctx_(std::move(ctx)), stream_(std::move(socket)),
      open_(ctx_->stats, worker),
      executor_(stream_.get_executor()), deadline_timer_(executor_) {
    beast::error_code ec;
    const auto endpoint = stream_.socket().remote_endpoint(ec);
    if (!ec) peer_ = unmap(endpoint.address());
}

HttpSession::~HttpSession() {
    // Whatever ended this connection, a reported request gets its one outcome.
    if (tap_pending_) ctx_->tap.http_failed(tap_exchange_);
    ctx_->registry.remove(this);
}

void HttpSession::run() {
    const bool draining = ctx_->registry.add(this, weak_from_this());
    net::dispatch(executor_, [self = shared_from_this(), draining] {
        self->draining_ = draining;
        self->do_read();
    });
}

void HttpSession::shutdown(bool hard) {
    net::post(executor_, [self = shared_from_this(), hard] {
        if (self->closed_ || self->handed_off_) return;
        self->draining_ = true;
        if (hard) return self->client_gone();
        // Idle between requests: nothing in flight, close now. Otherwise the response in
        // flight is sent with "Connection: close".
        if (self->waiting_request_ && self->buffer_.size() == 0 &&
            !(self->parser_ && self->parser_->got_some()))
            self->close();
    });
}

void HttpSession::do_read() {
    parser_ = std::make_unique<Parser>();
    parser_->header_limit(static_cast<std::uint32_t>(ctx_->cfg.header_limit));
    parser_->body_limit(ctx_->cfg.body_limit);
    waiting_request_ = true;
    // One read takes a typical BOSH request whole (a 512-byte start took several).
    if (buffer_.capacity() < kReadBuffer) buffer_.reserve(kReadBuffer);
    set_deadline(ctx_->cfg.client_idle_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&HttpSession::on_header, shared_from_this()));
}

void HttpSession::on_header(beast::error_code ec, std::size_t) {
    waiting_request_ = false;
    if (closed_) return;
    if (ec) return reject(ec);
    const auto& req = parser_->get();
    if (req.version() == 11 && !parser_->is_done() &&
        beast::iequals(req[http::field::expect], "100-continue")) {
        // RFC 9110 §10.1.1: the client waits for this before sending the content.
        return net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                                beast::bind_front_handler(&HttpSession::on_continue_sent,
                                                          shared_from_this()));
    }
    read_body();
}

void HttpSession::on_continue_sent(beast::error_code ec, std::size_t) {
    if (ec || closed_) return close();
    read_body();
}

void HttpSession::read_body() {
    if (parser_->is_done()) return on_read({}, 0);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&HttpSession::on_read, shared_from_this()));
}

void HttpSession::on_read(beast::error_code ec, std::size_t) {
    if (closed_) return;
    if (ec) return reject(ec);
    Request req = parser_->release();
    parser_.reset();
    release_buffers();
    handle(std::move(req));
}

void HttpSession::reject(beast::error_code ec) {
    const unsigned version = parser_ && parser_->is_header_done() ? parser_->get().version() : 11;
    if (ec == http::error::body_limit) {
        ctx_->stats.rejected_too_large.fetch_add(1, std::memory_order_relaxed);
        return send(text_response(http::status::payload_too_large,
                                  fmt::format("boshtap: request body is larger than the limit "
                                              "of {} bytes",
                                              ctx_->cfg.body_limit),
                                  version, false),
                    true);
    }
    if (ec == http::error::header_limit) { // RFC 6585 §5
        ctx_->stats.rejected_too_large.fetch_add(1, std::memory_order_relaxed);
        return send(text_response(http::status::request_header_fields_too_large,
                                  fmt::format("boshtap: request header is larger than the limit "
                                              "of {} bytes",
                                              ctx_->cfg.header_limit),
                                  version, false),
                    true);
    }
    if (is_http_parse_error(ec) && ec != http::error::end_of_stream &&
        ec != http::error::partial_message) {
        // Beast's parser decides what is malformed (RFC 9112 §6.3: e.g. Content-Length with
        // Transfer-Encoding, differing Content-Lengths, bad chunk sizes): answer and close,
        // since the framing of anything after it is unknown.
        ctx_->stats.bad_requests.fetch_add(1, std::memory_order_relaxed);
        return send(text_response(http::status::bad_request,
                                  fmt::format("boshtap: malformed request: {}", ec.message()),
                                  version, false),
                    true);
    }
    // Client closed, idle timeout, or a socket error: nothing to answer.
    close();
}

void HttpSession::handle(Request&& req) {
    version_ = req.version();
    keep_alive_ = req.keep_alive();
    head_ = req.method() == http::verb::head;
    const auto& cfg = ctx_->cfg;
    const auto path = split_target(req.target()).path;

    if (path_matches(path, cfg.bosh_path)) {
        const bool tap = req.method() == http::verb::post;
        return forward(std::move(req), cfg.upstream, tap);
    }
    if (path_matches(path, cfg.ws_path)) {
        if (!cfg.ws_upstream)
            return send(text_response(http::status::bad_gateway,
                                      "boshtap: no WebSocket upstream is configured", version_,
                                      false),
                        true);
        if (beast::websocket::is_upgrade(req)) {
            handed_off_ = true;
            std::make_shared<WebSocketRelay>(ctx_, std::move(stream_), std::move(open_), peer_,
                                             std::move(req))
                ->run();
            return;
        }
        // Jitsi's plain keep-alive GET: an ordinary HTTP exchange with the same server.
        return forward(std::move(req), *cfg.ws_upstream, false);
    }
    send(text_response(http::status::not_found,
                       fmt::format("boshtap: nothing here; BOSH is at {}", cfg.bosh_path),
                       version_, keep_alive_ && !draining_),
         !keep_alive_ || draining_);
}

void HttpSession::forward(Request&& req, const UpstreamUrl& upstream, bool tap) {
    const std::string original_target(req.target());
    const auto query = split_target(original_target).query;
    const auto received_for = joined_forwarded_for(req);
    std::optional<ClientMeta> meta;
    if (tap) meta = client_meta(req, received_for, original_target, peer_, ctx_->trusted);
    ctx_->stats.request_bytes.fetch_add(req.body().size(), std::memory_order_relaxed);

    const auto forwarded_for = extend_forwarded_for(received_for, peer_);
    const auto target = upstream_target(upstream.path, query);
    auto wire = wire_forwarded_request(req, {target, forwarded_for, ctx_->host(upstream)});

    if (tap) {
        // The wire bytes are a copy already: the tap takes the body itself.
        tap_exchange_ = next_id();
        tap_pending_ = true;
        ctx_->tap.http_request(tap_exchange_, std::move(*meta), std::move(req.body()));
    }

    started_ = std::chrono::steady_clock::now();
    auto exchange = std::make_shared<UpstreamExchange>(ctx_, executor_, open_.worker().pool,
                                                       upstream, std::move(wire), head_);
    exchange_ = exchange;
    exchange_active_ = true;
    // A held long-poll is bounded by upstream_timeout only (it must exceed BOSH `wait`).
    set_deadline(ctx_->cfg.upstream_timeout);
    exchange->start(std::shared_ptr<UpstreamWaiter>(shared_from_this(), this));
    open_.worker().watches->add(weak_from_this(), ++exchange_seq_, started_);
}

void HttpSession::watch_if_open(std::uint64_t exchange) {
    if (exchange_active_ && exchange_seq_ == exchange) arm_client_watch();
}

void HttpSession::arm_client_watch() {
    // nginx closes its side when its client aborts: watching for that lets a held long-poll
    // be released (and reported as failed) at once instead of when the server answers.
    if (watch_pending_ || closed_) return;
    watch_pending_ = true;
    stream_.socket().async_wait(tcp::socket::wait_read,
                                exact_memory(beast::bind_front_handler(
                                    &HttpSession::on_client_readable, shared_from_this())));
}

void HttpSession::on_client_readable(beast::error_code ec) {
    watch_pending_ = false;
    if (!exchange_active_ || closed_) return;
    if (ec == net::error::operation_aborted) return arm_client_watch();
    if (ec) return client_gone();
    switch (peek_socket(stream_.socket().native_handle())) {
    case Peeked::nothing: // a stale readiness event (two I/O threads): keep watching
        return arm_client_watch();
    case Peeked::bytes: // a pipelined request: it stays in the socket until this one is answered
        return;
    case Peeked::end_of_stream:
    case Peeked::error:
        return client_gone();
    }
}

void HttpSession::client_gone() {
    if (auto exchange = exchange_.lock()) exchange->cancel();
    exchange_.reset();
    exchange_active_ = false;
    if (tap_pending_) {
        tap_pending_ = false;
        ctx_->tap.http_failed(tap_exchange_);
    }
    close();
}

void HttpSession::on_upstream(UpstreamResult&& result) {
    exchange_.reset();
    exchange_active_ = false;
    if (watch_pending_) {
        beast::error_code ignored;
        stream_.socket().cancel(ignored);
    }
    if (closed_) return;
    ctx_->stats.latency.record(std::chrono::steady_clock::now() - started_);

    const bool close_after = !keep_alive_ || draining_;
    auto failed = [&](http::status status, std::atomic<std::uint64_t>& counter) {
        counter.fetch_add(1, std::memory_order_relaxed);
        if (tap_pending_) {
            tap_pending_ = false;
            ctx_->tap.http_failed(tap_exchange_);
        }
        send(text_response(status, "boshtap: " + result.error, version_, !close_after),
             close_after);
    };
    switch (result.outcome) {
    case UpstreamResult::Outcome::timeout:
        return failed(http::status::gateway_timeout, ctx_->stats.upstream_timeouts);
    case UpstreamResult::Outcome::failed:
    case UpstreamResult::Outcome::too_large:
        return failed(http::status::bad_gateway, ctx_->stats.upstream_errors);
    case UpstreamResult::Outcome::ok:
        break;
    }

    Response res = std::move(result.response);
    ctx_->stats.requests_forwarded.fetch_add(1, std::memory_order_relaxed);
    ctx_->stats.response_bytes.fetch_add(res.body().size(), std::memory_order_relaxed);
    // The tap gets the response once it is written (tap_pending_ stays set until then).
    // The framing towards nginx is ours (RFC 9112 §6.3): chunked or close-delimited upstream
    // bodies go out with a Content-Length; the bytes themselves are unchanged.
    auto head = wire_forwarded_response_head(res, version_, !close_after,
                                             !has_no_content(res.result_int(), head_));
    send(std::move(head), std::move(res), close_after);
}

void HttpSession::send(Response&& res, bool close_after) {
    // A head that says the connection ends is kept to, whatever the caller asked.
    const bool need_eof = res.need_eof();
    send(wire_response_head(res), std::move(res), close_after || need_eof);
}

void HttpSession::send(std::string head, Response&& res, bool close_after) {
    close_after_ = close_after;
    outgoing_ = std::make_unique<Outgoing>();
    outgoing_->head = std::move(head);
    outgoing_->response = std::move(res);
    set_deadline(ctx_->cfg.client_idle_timeout); // a client that stops reading
    const std::array<net::const_buffer, 2> buffers{net::buffer(outgoing_->head),
                                                   net::buffer(outgoing_->response.body())};
    net::async_write(stream_, buffers,
                     beast::bind_front_handler(&HttpSession::on_write, shared_from_this()));
}

void HttpSession::on_write(beast::error_code ec, std::size_t) {
    const auto out = std::move(outgoing_);
    if (tap_pending_ && out) {
        // The confirming response has left: the tap takes its body (no copy needed now).
        tap_pending_ = false;
        auto& res = out->response;
        ctx_->tap.http_response(tap_exchange_, res.result_int(),
                                std::string(res[http::field::content_encoding]),
                                std::move(res.body()));
    }
    if (closed_) return;
    if (ec) return close();
    if (close_after_) return linger_close();
    do_read();
}

void HttpSession::linger_close() {
    // Half-close and drain what the client is still sending (e.g. the rest of a rejected body)
    // so the kernel does not answer it with a reset that could destroy our response in flight.
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return close();
    buffer_.clear();
    release_buffers();
    linger_buffer_ = std::make_unique<std::array<char, 512>>();
    clear_deadline();
    stream_.expires_after(kLinger);
    stream_.async_read_some(net::buffer(*linger_buffer_),
                            beast::bind_front_handler(&HttpSession::on_linger, shared_from_this()));
}

void HttpSession::on_linger(beast::error_code ec, std::size_t) {
    if (ec || closed_) return close();
    stream_.async_read_some(net::buffer(*linger_buffer_),
                            beast::bind_front_handler(&HttpSession::on_linger, shared_from_this()));
}

void HttpSession::close() {
    if (closed_ || handed_off_) return;
    closed_ = true;
    stream_.close();
}

void HttpSession::set_deadline(std::chrono::steady_clock::duration after) {
    deadline_ = std::chrono::steady_clock::now() + after;
    // A pending wait ends no later than this deadline (see wait_deadline): it re-arms itself
    // when it fires.
    if (!deadline_wait_pending_) wait_deadline();
}

void HttpSession::wait_deadline() {
    // Never longer than the shorter of the two timeouts: every deadline set later is at least
    // that far away, so it cannot pass before this wait ends.
    const auto& cfg = ctx_->cfg;
    const std::chrono::steady_clock::duration period =
        std::min(cfg.client_idle_timeout, cfg.upstream_timeout);
    deadline_wait_pending_ = true;
    deadline_timer_.expires_at(std::min(deadline_, std::chrono::steady_clock::now() + period));
    // A weak reference: the wait must not keep a closed connection alive until it fires.
    deadline_timer_.async_wait(exact_memory([weak = weak_from_this()](beast::error_code ec) {
        on_deadline(weak, ec);
    }));
}

void HttpSession::on_deadline(const std::weak_ptr<HttpSession>& weak, beast::error_code ec) {
    const auto self = weak.lock();
    if (!self) return;
    self->deadline_wait_pending_ = false;
    if (ec == net::error::operation_aborted || self->closed_ || self->handed_off_) return;
    // No deadline (lingering): nothing to watch until one is set again.
    if (self->deadline_ == std::chrono::steady_clock::time_point::max()) return;
    if (std::chrono::steady_clock::now() < self->deadline_) return self->wait_deadline();
    if (self->exchange_active_) {
        // The upstream took too long: the exchange ends with a timeout and the client gets 504.
        if (auto exchange = self->exchange_.lock()) exchange->expire();
        return;
    }
    // The client was idle too long: whatever is pending (a read or a write) ends with the socket.
    self->close();
}

void HttpSession::release_buffers() {
    // A held long-poll keeps only what it needs: buffers go back between requests.
    if (buffer_.size() == 0) buffer_.shrink_to_fit();
}

} // namespace boshtap::proxy
