#pragma once
// One downstream connection from nginx: reads requests (HTTP/1.0 or 1.1, keep-alive or close),
// routes them, relays each through an UpstreamExchange and reports BOSH exchanges to the Tap.
// An Upgrade on the WebSocket path hands the socket over to a WebSocketRelay.
#include "context.hpp"
#include "executors.hpp"
#include "upstream_exchange.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <array>
#include <chrono>
#include <memory>
#include <optional>

namespace boshtap::proxy {

class HttpSession : public std::enable_shared_from_this<HttpSession>,
                    public Closable,
                    private UpstreamWaiter {
public:
    // `socket` lives on `worker`'s io_context, and so does everything of this connection.
    HttpSession(std::shared_ptr<Context> ctx, Worker& worker, IoSocket&& socket);
    ~HttpSession() override;

    void run();
    void shutdown(bool hard) override;
    // From the worker's DelayedWatches: watch the client if `exchange` is still open.
    void watch_if_open(std::uint64_t exchange);

private:
    using Request = boost::beast::http::request<boost::beast::http::string_body>;
    using Response = boost::beast::http::response<boost::beast::http::string_body>;
    using Parser = boost::beast::http::request_parser<boost::beast::http::string_body>;

    void do_read();
    void on_header(boost::beast::error_code ec, std::size_t);
    void on_continue_sent(boost::beast::error_code ec, std::size_t);
    void read_body();
    void on_read(boost::beast::error_code ec, std::size_t);
    void reject(boost::beast::error_code ec);
    void handle(Request&& req);
    void forward(Request&& req, const UpstreamUrl& upstream, bool tap);
    void on_upstream(UpstreamResult&& result) override;
    void arm_client_watch();
    void on_client_readable(boost::beast::error_code ec);
    void client_gone();
    // A response of our own: its head is written as the message says.
    void send(Response&& res, bool close_after);
    // `head`: the status line and fields as they go out (a forwarded response's, see
    // wire_forwarded_response_head); `res` gives the body and goes to the tap.
    void send(std::string head, Response&& res, bool close_after);
    void on_write(boost::beast::error_code ec, std::size_t);
    void linger_close();
    void on_linger(boost::beast::error_code ec, std::size_t);
    void close();
    void release_buffers();
    // One deadline per connection: the client's while it is waited for (a request, or taking
    // a response), the upstream's while an exchange is open (its whole round trip). Moved by
    // assignment and checked by one timer that re-arms itself only when it fires: per-request
    // timers cost a wait and its cancelled completion on every read, write and exchange.
    void set_deadline(std::chrono::steady_clock::duration after);
    void clear_deadline() { deadline_ = std::chrono::steady_clock::time_point::max(); }
    void wait_deadline();
    static void on_deadline(const std::weak_ptr<HttpSession>& weak, boost::beast::error_code ec);

    std::shared_ptr<Context> ctx_;
    IoStream stream_;
    OpenConnection open_;
    IoExecutor executor_; // survives the hand-off of stream_
    IoTimer deadline_timer_;
    std::chrono::steady_clock::time_point deadline_ = std::chrono::steady_clock::time_point::max();
    bool deadline_wait_pending_ = false;
    boost::asio::ip::address peer_;
    boost::beast::flat_buffer buffer_;
    // Allocated only while a request is read / a response written: a held long-poll keeps
    // neither (inline, the two would cost several hundred bytes per connection).
    std::unique_ptr<Parser> parser_;
    struct Outgoing {
        Response response;
        std::string head; // status line and fields, as written
    };
    std::unique_ptr<Outgoing> outgoing_;
    std::weak_ptr<UpstreamExchange> exchange_; // it owns us while running, not vice versa
    std::unique_ptr<std::array<char, 512>> linger_buffer_;

    // The request being answered: only what the response needs, so its buffers can go.
    unsigned version_ = 11;
    bool keep_alive_ = true;
    bool head_ = false;

    std::chrono::steady_clock::time_point started_{}; // of the upstream exchange (latency)
    std::uint64_t tap_exchange_ = 0;
    std::uint64_t exchange_seq_ = 0; // which exchange a delayed watch is for
    bool tap_pending_ = false;   // http_request reported, response/failure not yet
    bool exchange_active_ = false;
    bool watch_pending_ = false;
    bool waiting_request_ = false; // between requests: drain may close the connection
    bool close_after_ = false;
    bool draining_ = false;
    bool closed_ = false;
    bool handed_off_ = false;    // the socket now belongs to a WebSocketRelay
};

} // namespace boshtap::proxy
