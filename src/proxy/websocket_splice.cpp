// The spliced half of WebSocketRelay: two pumps forward the bytes of each direction verbatim
// and feed a copy to a frame decoder per direction (RFC 6455 §5.2) for the Tap.
//
// No idle timeout: an XMPP connection stays up as long as both ends keep it (they ping on their
// own schedule and answer each other's pings). End of stream is mirrored as a half-close, an
// error closes both. boshtap writes frames of its own only when it ends a connection (1009 for
// a message over the limit, 1001 on drain), and only between two whole forwarded frames.
#include "websocket_relay.hpp"

#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <spdlog/spdlog.h>

#include <cstring>
#include <random>

namespace boshtap::proxy {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;
using Status = core::WsFrameDecoder::Status;

namespace {

// A write that makes no progress this long means the receiver stopped reading: give up on the
// connection rather than hold its buffers forever.
constexpr auto write_stall_timeout = std::chrono::seconds(60);
// After boshtap sent its own close frames: how long the peers get to finish.
constexpr auto close_linger = std::chrono::seconds(2);
// After one side ended its stream: how long the other may keep its half open. Real peers close
// at once (nginx closes both halves of a tunnel, XMPP servers close on end of stream); this only
// bounds one that never does.
constexpr auto half_close_timeout = std::chrono::seconds(30);

// RFC 6455 §5.3: a client's masking key must be unpredictable.
std::array<unsigned char, 4> random_mask() {
    std::random_device rd;
    const auto bits = rd();
    return {static_cast<unsigned char>(bits), static_cast<unsigned char>(bits >> 8),
            static_cast<unsigned char>(bits >> 16), static_cast<unsigned char>(bits >> 24)};
}

const char* direction_name(int d) { return d == 0 ? "client->server" : "server->client"; }

} // namespace

void WebSocketRelay::start_splice() {
    const auto ex = client_.get_executor();
    pumps_[0].emplace(true, ctx_->cfg.ws_max_message, ex);
    pumps_[1].emplace(false, ctx_->cfg.ws_max_message, ex);
    read(0);
    // Bytes the upstream sent right behind its 101 were read with the head: they are the first
    // bytes of its stream (the buffer's limit keeps them within one chunk).
    const auto early = upstream_buffer_.size();
    if (early > 0) {
        std::memcpy(pumps_[1]->buffer->data(), upstream_buffer_.data().data(), early);
        upstream_buffer_.clear();
        upstream_buffer_.shrink_to_fit();
        return process(1, early);
    }
    upstream_buffer_.shrink_to_fit();
    read(1);
}

void WebSocketRelay::read(int d) {
    Pump& p = *pumps_[d];
    p.reading = true;
    source(d).socket().async_read_some(
        net::buffer(p.buffer->data() + p.held, chunk_size - p.held),
        beast::bind_front_handler(&WebSocketRelay::on_read, shared_from_this(), d));
}

void WebSocketRelay::on_read(int d, beast::error_code ec, std::size_t bytes) {
    pumps_[d]->reading = false;
    if (ec) return source_ended(d, ec);
    process(d, bytes);
}

// Decodes the new bytes, then forwards what may go on: everything but the tail of an
// unfinished frame header (held back so that boshtap can still put a close frame between two
// whole frames; a receiver can do nothing with a partial header anyway), and nothing past a
// cut (a message over the limit, or a close boshtap sends instead).
void WebSocketRelay::process(int d, std::size_t bytes) {
    Pump& p = *pumps_[d];
    auto& dec = p.decoder;
    const std::size_t total = p.held + bytes;
    std::size_t forward = p.forwarding ? total : 0;
    std::size_t keep = 0;
    std::string_view fresh(p.buffer->data() + p.held, bytes);
    while (p.tapping && p.forwarding && !fresh.empty()) {
        fresh.remove_prefix(dec.feed(fresh));
        if (dec.message_ready()) deliver(d, dec.take_message());
        if (d == 0 && dec.close_seen()) client_closing();
        if (dec.status() == Status::too_large) {
            // Nothing of the offending frame goes on; the connection ends with 1009.
            p.tapping = false;
            p.forwarding = false;
            p.too_big = true;
            p.dest_at_boundary = true;
            forward = static_cast<std::size_t>(dec.frame_start() - p.base);
        } else if (dec.status() == Status::protocol_error) {
            // The receiver will fail the connection itself (RFC 6455 §7.1.7); boshtap keeps
            // forwarding unchanged and stops reading this direction's copy.
            p.tapping = false;
            p.dest_at_boundary = false;
            spdlog::warn("WebSocket {}: {} frames not decodable ({}); forwarded untapped", id_,
                         direction_name(d), dec.error());
        } else if (p.close_wanted && dec.at_frame_boundary()) {
            p.forwarding = false; // the close boshtap sends goes here
            p.dest_at_boundary = true;
            forward = static_cast<std::size_t>(dec.consumed() - p.base);
        }
    }
    if (p.tapping && p.forwarding) {
        keep = dec.header_bytes_pending();
        forward = total - keep;
        p.dest_at_boundary = dec.at_frame_boundary() || keep > 0;
        if (p.close_wanted && p.dest_at_boundary) {
            p.forwarding = false;
            keep = 0;
        }
    }
    p.region = total;
    p.keep = keep;
    if (forward > 0) return write(d, p.buffer->data(), forward);
    after_forward(d);
}

void WebSocketRelay::deliver(int d, std::string&& payload) {
    if (tap_closed_) return; // the client side has ended: nothing more belongs to it
    ctx_->stats.ws_messages.fetch_add(1, std::memory_order_relaxed);
    ctx_->stats.ws_bytes.fetch_add(payload.size(), std::memory_order_relaxed);
    ctx_->tap.ws_message(id_, d == 0, std::move(payload));
}

void WebSocketRelay::write(int d, const char* data, std::size_t size) {
    Pump& p = *pumps_[d];
    p.writing = true;
    p.stall.expires_after(write_stall_timeout);
    p.stall.async_wait([self = shared_from_this()](beast::error_code ec) {
        if (!ec) self->teardown();
    });
    net::async_write(dest(d).socket(), net::buffer(data, size),
                     beast::bind_front_handler(&WebSocketRelay::on_write, shared_from_this(), d));
}

void WebSocketRelay::on_write(int d, beast::error_code ec, std::size_t) {
    Pump& p = *pumps_[d];
    p.writing = false;
    p.stall.cancel();
    if (ec) return teardown(); // the receiver is gone
    if (p.writing_close) {
        p.writing_close = false;
        shut_dest(d);
        return maybe_finish();
    }
    after_forward(d);
}

// The chunk in the buffer has been forwarded (or cut off): keep the held tail, go on.
void WebSocketRelay::after_forward(int d) {
    Pump& p = *pumps_[d];
    if (p.keep > 0) std::memmove(p.buffer->data(), p.buffer->data() + p.region - p.keep, p.keep);
    p.base += p.region - p.keep;
    p.held = p.keep;
    p.region = p.keep = 0;
    if (p.too_big) {
        p.too_big = false;
        begin_close(1009, "message too big"); // RFC 6455 §7.4.1
    }
    if (p.close_wanted) try_close(d);
    if (p.source_done) {
        if (!p.writing) shut_dest(d);
        return maybe_finish();
    }
    read(d);
}

void WebSocketRelay::source_ended(int d, beast::error_code ec) {
    Pump& p = *pumps_[d];
    p.source_done = true;
    if (d == 0) client_ended();
    if (ec != net::error::eof) return teardown(); // reset or error: both go
    if (p.forwarding && p.held > 0 && !p.writing) {
        // The source ended inside a frame header: those bytes go on too, then the end.
        p.region = p.held;
        p.keep = 0;
        return write(d, p.buffer->data(), p.held);
    }
    // TCP half-close, mirrored: the receiver sees the end of stream the sender made.
    if (!p.writing) shut_dest(d);
    if (!closing_ && !pumps_[1 - d]->source_done) {
        linger_.expires_after(half_close_timeout);
        linger_.async_wait([self = shared_from_this()](beast::error_code ec) {
            if (!ec) self->teardown();
        });
    }
    maybe_finish();
}

// boshtap ends the connection itself: a close frame into each direction at the next frame
// boundary (masked towards the server, RFC 6455 §5.3), then half-close; the peers get
// `close_linger` to answer and go.
void WebSocketRelay::begin_close(std::uint16_t code, const char* reason, bool drop_server) {
    if (closing_ || finished_ || !pumps_[0]) return;
    closing_ = true;
    close_code_ = code;
    close_reason_ = reason;
    for (int d = 0; d < 2; ++d) {
        if (d == 0 && drop_server) {
            pumps_[0]->forwarding = false; // not even the client's close reply
            continue;
        }
        pumps_[d]->close_wanted = true;
        try_close(d); // else after the write in flight, or at the boundary process() finds
    }
    linger_.expires_after(close_linger);
    linger_.async_wait([self = shared_from_this()](beast::error_code ec) {
        if (!ec) self->teardown();
    });
}

void WebSocketRelay::try_close(int d) {
    Pump& p = *pumps_[d];
    if (!p.close_wanted || p.writing) return;
    if (p.forwarding && p.tapping && !p.dest_at_boundary) return; // process() cuts at the end
    p.close_wanted = false;
    p.forwarding = false;
    // No frame after a close the source already sent through, nor into the middle of a frame
    // (a direction whose framing was lost): then only the half-close.
    if (p.dest_shut || !p.dest_at_boundary || p.decoder.close_seen())
        return shut_dest(d);
    std::optional<std::array<unsigned char, 4>> mask;
    if (d == 0) mask = random_mask();
    p.close_frame = core::ws_close_frame(close_code_, close_reason_, mask);
    p.writing_close = true;
    write(d, p.close_frame.data(), p.close_frame.size());
}

void WebSocketRelay::shut_dest(int d) {
    Pump& p = *pumps_[d];
    if (p.dest_shut) return;
    p.dest_shut = true;
    beast::error_code ignored;
    dest(d).socket().shutdown(tcp::socket::shutdown_send, ignored);
}

// The client's side has ended (end of stream, reset or error): reported at once, whatever the
// server still does, so the auditor sees a drop when it happens (its XEP-0198 resume window
// starts there), not when the server gets round to closing.
void WebSocketRelay::client_ended() {
    if (!opened_ || tap_closed_) return;
    tap_closed_ = true;
    ctx_->tap.ws_closed(id_);
}

// The client sent its close frame (RFC 6455 §5.5.1: no data frame follows). Normally the
// server answers and the client ends TCP within milliseconds, and whatever the server sent
// meanwhile (its last presences) is still tapped. Prosody 0.12 never answers a close on a
// resumed session, and the client then waits its own timeout (30 s) before dropping TCP: the
// audit must not wait that long to start the resume window.
void WebSocketRelay::client_closing() {
    if (close_wait_armed_ || tap_closed_) return;
    close_wait_armed_ = true;
    close_wait_.expires_after(std::chrono::seconds(3));
    close_wait_.async_wait([self = shared_from_this()](beast::error_code ec) {
        if (!ec) self->client_ended();
    });
}

void WebSocketRelay::maybe_finish() {
    if (finished_) return;
    for (const auto& p : pumps_)
        if (!p || !p->source_done || p->writing || !p->dest_shut) return;
    teardown();
}

void WebSocketRelay::teardown() {
    if (resolver_) resolver_->cancel();
    beast::error_code ignored;
    client_.socket().close(ignored);
    upstream_.socket().close(ignored);
    linger_.cancel();
    close_wait_.cancel();
    for (auto& p : pumps_)
        if (p) p->stall.cancel();
    client_ended();
    if (opened_ && !finished_)
        ctx_->stats.ws_connections_open.fetch_sub(1, std::memory_order_relaxed);
    finished_ = true;
}

} // namespace boshtap::proxy
