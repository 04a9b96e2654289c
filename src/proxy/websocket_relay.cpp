#include "websocket_relay.hpp"

#include "boshtap/proxy/hop_by_hop.hpp"
#include "ids.hpp"
#include "request_info.hpp"
#include "responses.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/error.hpp>
#include <fmt/format.h>

#include <utility>
#include <vector>

namespace boshtap::proxy {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

namespace {

// No idle timeout on either hop: an idle XMPP connection stays up as long as both ends keep it
// (they ping on their own schedule; Beast answers pings). Only handshakes and closes are timed.
websocket::stream_base::timeout relay_timeouts() {
    websocket::stream_base::timeout t{};
    t.handshake_timeout = std::chrono::seconds(30);
    t.idle_timeout = websocket::stream_base::none();
    t.keep_alive_pings = false;
    return t;
}

// permessage-deflate (RFC 7692) stays off on both hops: the payloads are what boshtap exists to
// see, and with it each hop would inflate and deflate every message again for nothing.
websocket::permessage_deflate no_deflate() {
    websocket::permessage_deflate pmd;
    pmd.client_enable = false;
    pmd.server_enable = false;
    return pmd;
}

void release(beast::flat_buffer& buffer) {
    buffer.consume(buffer.size());
    if (buffer.capacity() > 4096) buffer.shrink_to_fit(); // an idle socket keeps no big buffer
}

} // namespace

WebSocketRelay::WebSocketRelay(std::shared_ptr<Context> ctx, beast::tcp_stream&& stream,
                               OpenConnection&& open, net::ip::address peer, Request&& upgrade)
    : ctx_(std::move(ctx)), open_(std::move(open)), id_(next_id()), client_(std::move(stream)),
      upstream_(client_.ws.get_executor()), peer_(peer), upgrade_(std::move(upgrade)) {
    meta_ = client_meta(*upgrade_, upgrade_->target(), peer_, ctx_->trusted);
}

WebSocketRelay::~WebSocketRelay() {
    if (opened_ && !finished_) {
        ctx_->tap.ws_closed(id_);
        ctx_->stats.ws_connections_open.fetch_sub(1, std::memory_order_relaxed);
    }
    ctx_->registry.remove(this);
}

void WebSocketRelay::run() {
    const bool draining = ctx_->registry.add(this, weak_from_this());
    net::dispatch(client_.ws.get_executor(), [self = shared_from_this(), draining] {
        if (draining) {
            self->stopped_ = true;
            return self->refuse(text_response(http::status::service_unavailable,
                                              "boshtap: shutting down", self->upgrade_->version(),
                                              false));
        }
        const auto& up = *self->ctx_->cfg.ws_upstream;
        self->resolver_.emplace(self->client_.ws.get_executor());
        self->resolver_->async_resolve(
            up.host, std::to_string(up.port),
            beast::bind_front_handler(&WebSocketRelay::on_resolve, self));
    });
}

void WebSocketRelay::shutdown(bool hard) {
    net::post(client_.ws.get_executor(), [self = shared_from_this(), hard] {
        self->stopped_ = true;
        if (hard) return self->teardown();
        if (!self->opened_ || self->finished_) return;
        // RFC 6455 §7.4.1: 1001, the server is going away; clients reconnect elsewhere.
        const websocket::close_reason reason{websocket::close_code::going_away,
                                             "server shutting down"};
        self->close_side(0, reason);
        self->close_side(1, reason);
    });
}

void WebSocketRelay::on_resolve(beast::error_code ec, tcp::resolver::results_type results) {
    if (ec) return fail_before_open(ec, "resolve");
    auto& lowest = beast::get_lowest_layer(upstream_.ws);
    lowest.expires_after(ctx_->cfg.connect_timeout);
    lowest.async_connect(results,
                         beast::bind_front_handler(&WebSocketRelay::on_connect, shared_from_this()));
}

void WebSocketRelay::on_connect(beast::error_code ec, tcp::endpoint) {
    resolver_.reset();
    if (ec) return fail_before_open(ec, "connect");
    // The websocket stream runs its own timers; the tcp_stream's must be off (Beast's rule).
    beast::get_lowest_layer(upstream_.ws).expires_never();
    auto& ws = upstream_.ws;
    ws.set_option(relay_timeouts());
    ws.set_option(no_deflate());
    ws.read_message_max(ctx_->cfg.ws_max_message);

    // What the XMPP server needs to know about the client (RFC 7395 §3.3: the subprotocol).
    const auto& req = *upgrade_;
    std::vector<std::pair<std::string, std::string>> pass;
    for (const auto* name : {"Origin", "Cookie", "User-Agent", "Sec-WebSocket-Protocol"}) {
        if (const auto value = req[name]; !value.empty()) pass.emplace_back(name, value);
    }
    pass.emplace_back("X-Forwarded-For", extend_forwarded_for(joined_forwarded_for(req), peer_));
    const bool has_agent = !req[http::field::user_agent].empty();
    ws.set_option(websocket::stream_base::decorator(
        [pass = std::move(pass), has_agent](websocket::request_type& r) {
            if (!has_agent) r.erase(http::field::user_agent);
            for (const auto& [field, value] : pass) r.set(field, value);
        }));

    const auto& up = *ctx_->cfg.ws_upstream;
    std::string host(req[http::field::host]); // unchanged: Prosody picks the virtual host
    if (host.empty()) host = fmt::format("{}:{}", up.host, up.port);
    ws.async_handshake(upstream_response_, host,
                       upstream_target(up.path, split_target(req.target()).query),
                       beast::bind_front_handler(&WebSocketRelay::on_handshake, shared_from_this()));
}

void WebSocketRelay::on_handshake(beast::error_code ec) {
    if (ec == websocket::error::upgrade_declined) {
        // The server said no (e.g. 403, 503): the client sees exactly that answer.
        auto res = std::move(upstream_response_);
        strip_hop_by_hop(res);
        res.keep_alive(false);
        res.content_length(res.body().size());
        return refuse(std::move(res));
    }
    if (ec) return fail_before_open(ec, "handshake");
    if (stopped_)
        return refuse(text_response(http::status::service_unavailable, "boshtap: shutting down",
                                    upgrade_->version(), false));

    auto& ws = client_.ws;
    ws.set_option(relay_timeouts());
    ws.set_option(no_deflate());
    ws.read_message_max(ctx_->cfg.ws_max_message);
    std::string chosen(upstream_response_[http::field::sec_websocket_protocol]);
    ws.set_option(websocket::stream_base::decorator([chosen](websocket::response_type& res) {
        res.set(http::field::server, "boshtap");
        if (!chosen.empty()) res.set(http::field::sec_websocket_protocol, chosen);
    }));
    upstream_response_ = {};
    beast::get_lowest_layer(ws).expires_never();
    ws.async_accept(*upgrade_,
                    beast::bind_front_handler(&WebSocketRelay::on_accept, shared_from_this()));
}

void WebSocketRelay::on_accept(beast::error_code ec) {
    upgrade_.reset();
    // Beast has answered a bad client handshake itself; the upstream goes away quietly.
    if (ec) return teardown();
    opened_ = true;
    ctx_->stats.ws_connections_open.fetch_add(1, std::memory_order_relaxed);
    ctx_->tap.ws_open(id_, meta_);
    read(0);
    read(1);
    if (stopped_) {
        const websocket::close_reason reason{websocket::close_code::going_away,
                                             "server shutting down"};
        close_side(0, reason);
        close_side(1, reason);
    }
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

void WebSocketRelay::refuse(http::response<http::string_body>&& res) {
    beast::get_lowest_layer(upstream_.ws).close();
    if (upgrade_) res.version(upgrade_->version());
    refusal_.emplace(std::move(res));
    auto& lowest = beast::get_lowest_layer(client_.ws);
    lowest.expires_after(ctx_->cfg.client_idle_timeout);
    http::async_write(lowest, *refusal_,
                      beast::bind_front_handler(&WebSocketRelay::on_refused, shared_from_this()));
}

void WebSocketRelay::on_refused(beast::error_code, std::size_t) {
    beast::error_code ignored;
    beast::get_lowest_layer(client_.ws).socket().shutdown(tcp::socket::shutdown_send, ignored);
    beast::get_lowest_layer(client_.ws).close();
}

void WebSocketRelay::read(int i) {
    side(i).ws.async_read(side(i).buffer, beast::bind_front_handler(&WebSocketRelay::on_read,
                                                                    shared_from_this(), i));
}

void WebSocketRelay::on_read(int i, beast::error_code ec, std::size_t bytes) {
    Side& from = side(i);
    Side& to = side(1 - i);
    if (ec) return read_ended(i, ec);

    ctx_->stats.ws_messages.fetch_add(1, std::memory_order_relaxed);
    ctx_->stats.ws_bytes.fetch_add(bytes, std::memory_order_relaxed);
    ctx_->tap.ws_message(id_, i == 0, beast::buffers_to_string(from.buffer.data()));
    if (to.closing) { // nobody to deliver to any more; keep reading until the close arrives
        release(from.buffer);
        return read(i);
    }
    to.ws.text(from.ws.got_text()); // text stays text, binary stays binary
    to.writing = true;
    to.ws.async_write(from.buffer.data(), beast::bind_front_handler(&WebSocketRelay::on_write,
                                                                    shared_from_this(), i));
}

void WebSocketRelay::on_write(int i, beast::error_code ec, std::size_t) {
    Side& from = side(i);
    Side& to = side(1 - i);
    to.writing = false;
    release(from.buffer);
    if (ec && !to.closing) {
        to.closing = true;
        beast::get_lowest_layer(to.ws).close();
        close_side(i, {websocket::close_code::going_away, "peer connection lost"});
    }
    if (!from.read_ended) read(i);
    maybe_finish();
}

void WebSocketRelay::read_ended(int i, beast::error_code ec) {
    Side& from = side(i);
    from.read_ended = true;
    websocket::close_reason reason;
    if (ec == websocket::error::closed) {
        // A close frame arrived (Beast has echoed it, RFC 6455 §5.5.1): same code and reason on.
        reason = from.ws.reason();
    } else if (ec == websocket::error::message_too_big) {
        // Beast has closed this side with 1009; the other side learns why.
        reason = {websocket::close_code::too_big, "message too big"};
    } else {
        reason = {websocket::close_code::going_away, "peer connection lost"};
        beast::get_lowest_layer(from.ws).close();
    }
    from.closing = true;
    close_side(1 - i, reason);
    maybe_finish();
}

void WebSocketRelay::close_side(int i, const websocket::close_reason& reason) {
    Side& s = side(i);
    if (s.closing) return;
    s.closing = true;
    s.close_pending = true;
    s.ws.async_close(reason, beast::bind_front_handler(&WebSocketRelay::on_close_sent,
                                                       shared_from_this(), i));
}

void WebSocketRelay::on_close_sent(int i, beast::error_code ec) {
    side(i).close_pending = false;
    if (ec) beast::get_lowest_layer(side(i).ws).close(); // the read there ends too
    maybe_finish();
}

void WebSocketRelay::maybe_finish() {
    if (finished_ || !opened_) return;
    for (int i = 0; i < 2; ++i)
        if (!side(i).read_ended || side(i).writing || side(i).close_pending) return;
    finished_ = true;
    ctx_->tap.ws_closed(id_);
    ctx_->stats.ws_connections_open.fetch_sub(1, std::memory_order_relaxed);
    beast::get_lowest_layer(client_.ws).close();
    beast::get_lowest_layer(upstream_.ws).close();
}

void WebSocketRelay::teardown() {
    if (resolver_) resolver_->cancel();
    beast::get_lowest_layer(client_.ws).close();
    beast::get_lowest_layer(upstream_.ws).close();
}

} // namespace boshtap::proxy
