#include "websocket_relay.hpp"

#include "boshtap/proxy/hop_by_hop.hpp"
#include "ids.hpp"
#include "request_info.hpp"
#include "responses.hpp"
#include "websocket_handshake.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <fmt/format.h>

#include <utility>

namespace boshtap::proxy {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

// The opening handshake is timed on both hops; the spliced connection is not (see splice).
constexpr auto handshake_timeout = std::chrono::seconds(30);

} // namespace

WebSocketRelay::WebSocketRelay(std::shared_ptr<Context> ctx, IoStream&& stream,
                               OpenConnection&& open, net::ip::address peer, Request&& upgrade)
    : ctx_(std::move(ctx)), open_(std::move(open)), id_(next_id()), client_(std::move(stream)),
      upstream_(client_.get_executor()), peer_(peer), upgrade_(std::move(upgrade)),
      linger_(client_.get_executor()), close_wait_(client_.get_executor()) {
    meta_ = client_meta(*upgrade_, joined_forwarded_for(*upgrade_), upgrade_->target(), peer_,
                        ctx_->trusted);
}

WebSocketRelay::~WebSocketRelay() {
    if (opened_ && !tap_closed_) ctx_->tap.ws_closed(id_);
    if (opened_ && !finished_)
        ctx_->stats.ws_connections_open.fetch_sub(1, std::memory_order_relaxed);
    ctx_->registry.remove(this);
}

void WebSocketRelay::run() {
    const bool draining = ctx_->registry.add(this, weak_from_this());
    net::dispatch(client_.get_executor(), [self = shared_from_this(), draining] {
        if (draining) {
            self->stopped_ = true;
            return self->refuse(text_response(http::status::service_unavailable,
                                              "boshtap: shutting down", self->upgrade_->version(),
                                              false));
        }
        const auto& up = *self->ctx_->cfg.ws_upstream;
        self->resolver_.emplace(self->client_.get_executor());
        self->resolver_->async_resolve(
            up.host, std::to_string(up.port),
            beast::bind_front_handler(&WebSocketRelay::on_resolve, self));
    });
}

void WebSocketRelay::shutdown(bool hard) {
    net::post(client_.get_executor(), [self = shared_from_this(), hard] {
        self->stopped_ = true;
        if (hard) return self->teardown();
        // RFC 6455 §7.4.1: 1001, going away, to the client, which reconnects (to the next
        // boshtap) and resumes its XMPP session (XEP-0198 ?previd=). The server must see a
        // drop, not a close: a close frame would end the session it is about to resume.
        // Before the 101 the client gets a 503 instead.
        if (self->opened_) self->begin_close(1001, "server shutting down", true);
    });
}

void WebSocketRelay::on_resolve(beast::error_code ec, IoResolver::results_type results) {
    if (ec) return fail_before_open(ec, "resolve");
    upstream_.expires_after(ctx_->cfg.connect_timeout);
    upstream_.async_connect(results, beast::bind_front_handler(&WebSocketRelay::on_connect,
                                                               shared_from_this()));
}

void WebSocketRelay::on_connect(beast::error_code ec, tcp::endpoint) {
    resolver_.reset();
    if (ec) return fail_before_open(ec, "connect");
    upstream_request_.emplace(upstream_upgrade(*upgrade_, *ctx_->cfg.ws_upstream, peer_));
    upstream_.expires_after(handshake_timeout);
    http::async_write(upstream_, *upstream_request_,
                      beast::bind_front_handler(&WebSocketRelay::on_request_sent,
                                                shared_from_this()));
}

void WebSocketRelay::on_request_sent(beast::error_code ec, std::size_t) {
    upstream_request_.reset();
    if (ec) return fail_before_open(ec, "handshake");
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(ctx_->cfg.header_limit));
    parser_->body_limit(ctx_->cfg.body_limit);
    http::async_read_header(upstream_, upstream_buffer_, *parser_,
                            beast::bind_front_handler(&WebSocketRelay::on_response_header,
                                                      shared_from_this()));
}

void WebSocketRelay::on_response_header(beast::error_code ec, std::size_t) {
    if (ec) return fail_before_open(ec, "handshake");
    if (parser_->get().result() != http::status::switching_protocols) {
        // The server said no (e.g. 403, 503): the client gets exactly that answer.
        if (parser_->is_done()) return on_refusal_read({}, 0);
        return http::async_read(upstream_, upstream_buffer_, *parser_,
                                beast::bind_front_handler(&WebSocketRelay::on_refusal_read,
                                                          shared_from_this()));
    }
    if (stopped_)
        return refuse(text_response(http::status::service_unavailable, "boshtap: shutting down",
                                    upgrade_->version(), false));
    if (negotiated_extension(parser_->get())) {
        ctx_->stats.upstream_errors.fetch_add(1, std::memory_order_relaxed);
        return refuse(text_response(http::status::bad_gateway,
                                    "boshtap: the WebSocket upstream agreed to an extension that "
                                    "was not offered",
                                    upgrade_->version(), false));
    }
    // Relayed as received: the upstream answered the client's own key (RFC 6455 §4.2.2), so
    // its Sec-WebSocket-Accept and chosen subprotocol hold end to end.
    response_.emplace(parser_->release());
    parser_.reset();
    upstream_.expires_never();
    client_.expires_after(handshake_timeout);
    http::async_write(client_, *response_,
                      beast::bind_front_handler(&WebSocketRelay::on_switched, shared_from_this()));
}

void WebSocketRelay::on_refusal_read(beast::error_code ec, std::size_t) {
    if (ec) return fail_before_open(ec, "handshake");
    auto res = parser_->release();
    parser_.reset();
    strip_hop_by_hop(res);
    res.keep_alive(false);
    res.content_length(res.body().size());
    refuse(std::move(res));
}

void WebSocketRelay::on_switched(beast::error_code ec, std::size_t) {
    response_.reset();
    upgrade_.reset();
    client_.expires_never();
    if (ec) return teardown(); // the client is gone; the upstream goes too
    opened_ = true;
    ctx_->stats.ws_connections_open.fetch_add(1, std::memory_order_relaxed);
    ctx_->tap.ws_open(id_, meta_);
    start_splice();
    if (stopped_) begin_close(1001, "server shutting down", true);
}

void WebSocketRelay::fail_before_open(beast::error_code ec, const char* stage) {
    const auto& up = *ctx_->cfg.ws_upstream;
    const bool timeout = ec == beast::error::timeout;
    (timeout ? ctx_->stats.upstream_timeouts : ctx_->stats.upstream_errors)
        .fetch_add(1, std::memory_order_relaxed);
    const unsigned version = upgrade_ ? upgrade_->version() : 11;
    refuse(text_response(timeout ? http::status::gateway_timeout : http::status::bad_gateway,
                         fmt::format("boshtap: WebSocket upstream {}:{} {} failed: {}", up.host,
                                     up.port, stage, ec.message()),
                         version, false));
}

void WebSocketRelay::refuse(Response&& res) {
    parser_.reset();
    upstream_.close();
    if (upgrade_) res.version(upgrade_->version());
    response_.emplace(std::move(res));
    client_.expires_after(ctx_->cfg.client_idle_timeout);
    http::async_write(client_, *response_,
                      beast::bind_front_handler(&WebSocketRelay::on_refused, shared_from_this()));
}

void WebSocketRelay::on_refused(beast::error_code, std::size_t) {
    response_.reset();
    beast::error_code ignored;
    client_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    client_.close();
}

} // namespace boshtap::proxy
