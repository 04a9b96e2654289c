#pragma once
// One WebSocket connection (RFC 6455, XMPP subprotocol RFC 7395), spliced the way nginx and
// HAProxy tunnel an upgraded connection: the client's handshake goes to the upstream, the
// upstream's answer comes back unchanged, and after a 101 the bytes of both directions are
// forwarded verbatim. Frames, masks, pings and the close handshake stay end to end, so a client
// that drops looks like a drop to the server (XEP-0198 hibernation), and whatever the server
// sends before answering a close reaches the client. The Tap gets a decoded copy.
//
// websocket_relay.cpp: handshake and lifecycle. websocket_splice.cpp: the two pumps.
#include "boshtap/core/ws_frames.hpp"
#include "context.hpp"
#include "executors.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <array>
#include <memory>
#include <optional>
#include <string>

namespace boshtap::proxy {

class WebSocketRelay : public std::enable_shared_from_this<WebSocketRelay>, public Closable {
public:
    using Request = boost::beast::http::request<boost::beast::http::string_body>;

    // `stream` lives on the connection's worker; `upgrade` is the request already read.
    WebSocketRelay(std::shared_ptr<Context> ctx, IoStream&& stream,
                   OpenConnection&& open, boost::asio::ip::address peer, Request&& upgrade);
    ~WebSocketRelay() override;

    void run();
    void shutdown(bool hard) override;

    // Bytes read per chunk and direction. One buffer per direction, for the connection's life.
    static constexpr std::size_t chunk_size = 16 * 1024;

private:
    using Response = boost::beast::http::response<boost::beast::http::string_body>;

    // One direction: reads `source`, forwards to `dest`, decodes a copy.
    struct Pump {
        Pump(bool from_client, std::size_t max_message, const IoExecutor& ex)
            : decoder(from_client, max_message), stall(ex) {}
        core::WsFrameDecoder decoder;
        std::unique_ptr<std::array<char, chunk_size>> buffer =
            std::make_unique<std::array<char, chunk_size>>();
        std::size_t held = 0;      // unforwarded bytes at the front (an unfinished frame header)
        std::uint64_t base = 0;    // stream offset of buffer[0]
        std::size_t region = 0;    // bytes of the buffer being handled (held + read)
        std::size_t keep = 0;      // of those, the tail kept back after forwarding
        bool tapping = true;       // the decoder follows the stream
        bool forwarding = true;    // false once cut off (a close was injected, or 1009)
        bool dest_at_boundary = true; // what dest got so far ends with a whole frame
        bool close_wanted = false; // a close frame should go to dest at the next boundary
        bool too_big = false;      // the source sent a message over the limit
        bool reading = false;
        bool writing = false;
        bool writing_close = false;
        bool source_done = false;  // EOF or error from the source
        bool dest_shut = false;    // shutdown(send) done on dest
        std::string close_frame;
        IoTimer stall; // a write that makes no progress
    };

    // Handshake (websocket_relay.cpp).
    void on_resolve(boost::beast::error_code ec,
                    IoResolver::results_type results);
    void on_connect(boost::beast::error_code ec, boost::asio::ip::tcp::endpoint);
    void on_request_sent(boost::beast::error_code ec, std::size_t);
    void on_response_header(boost::beast::error_code ec, std::size_t);
    void on_refusal_read(boost::beast::error_code ec, std::size_t);
    void on_switched(boost::beast::error_code ec, std::size_t);
    void refuse(Response&& res);
    void on_refused(boost::beast::error_code ec, std::size_t);
    void fail_before_open(boost::beast::error_code ec, const char* stage);

    // Splice (websocket_splice.cpp). Direction 0: client -> upstream, 1: upstream -> client.
    void start_splice();
    IoStream& source(int d) { return d == 0 ? client_ : upstream_; }
    IoStream& dest(int d) { return d == 0 ? upstream_ : client_; }
    void read(int d);
    void on_read(int d, boost::beast::error_code ec, std::size_t bytes);
    void process(int d, std::size_t bytes);
    void deliver(int d, std::string&& payload);
    void write(int d, const char* data, std::size_t size);
    void on_write(int d, boost::beast::error_code ec, std::size_t);
    void after_forward(int d);
    void source_ended(int d, boost::beast::error_code ec);
    // Close frames with `code` towards the client and, unless `drop_server`, the server. With
    // `drop_server` the server sees the stream end without a close frame — a dropped
    // connection, which it keeps resumable (XEP-0198) — and nothing more from the client.
    void begin_close(std::uint16_t code, const char* reason, bool drop_server = false);
    void try_close(int d);
    void shut_dest(int d);
    void client_ended();
    void client_closing();
    void maybe_finish();
    void teardown();

    std::shared_ptr<Context> ctx_;
    OpenConnection open_;
    const std::uint64_t id_;
    IoStream client_;
    IoStream upstream_;
    boost::asio::ip::address peer_;
    std::optional<Request> upgrade_; // until the 101 is relayed
    ClientMeta meta_;
    std::optional<IoResolver> resolver_;

    std::optional<boost::beast::http::request<boost::beast::http::empty_body>> upstream_request_;
    boost::beast::flat_buffer upstream_buffer_{chunk_size}; // what follows the 101 fits a chunk
    std::optional<boost::beast::http::response_parser<boost::beast::http::string_body>> parser_;
    std::optional<Response> response_; // the 101 or refusal on its way to the client

    std::array<std::optional<Pump>, 2> pumps_;
    IoTimer linger_;
    // After the client's close frame: its stream ends for the audit when TCP ends, or after
    // a few seconds if the server never answers the close (see client_closing()).
    IoTimer close_wait_;
    bool close_wait_armed_ = false;
    std::uint16_t close_code_ = 0;
    const char* close_reason_ = "";

    bool opened_ = false;      // 101 relayed, ws_open reported
    bool tap_closed_ = false;  // ws_closed reported
    bool finished_ = false;    // both sockets closed, counted out
    bool closing_ = false;     // boshtap is ending the connection (drain or 1009)
    bool stopped_ = false;
};

} // namespace boshtap::proxy
