#pragma once
// One request/response with an upstream over a pooled keep-alive connection (HTTP/1.1).
// A timer only for a new connection's connect (the exchange as a whole is bounded by the client
// connection's deadline, see HttpSession), and nothing but a readiness wait while the server
// holds the request: the response parser and its buffer are made only when
// the first response bytes arrive, so a held long-poll costs little memory.
#include "context.hpp"
#include "executors.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace boshtap::proxy {

struct UpstreamResult {
    enum class Outcome { ok, timeout, failed, too_large };
    Outcome outcome = Outcome::failed;
    boost::beast::http::response<boost::beast::http::string_body> response; // when ok
    std::string error;                                                        // otherwise
};

// Who waits for an exchange's result: the client connection that forwarded the request. Held
// as a shared_ptr to it, which costs no allocation per exchange (a std::function around one
// did).
class UpstreamWaiter {
public:
    virtual void on_upstream(UpstreamResult&& result) = 0;

protected:
    ~UpstreamWaiter() = default;
};

class UpstreamExchange : public std::enable_shared_from_this<UpstreamExchange> {
public:
    // `executor`: the client connection's (its worker's io_context); the upstream socket lives
    // there too, and every completion runs there. `pool`: that worker's idle connections.
    // `request`: the whole request as it goes on the wire (wire_forwarded_request()); `head`:
    // it is a HEAD request.
    UpstreamExchange(std::shared_ptr<Context> ctx, IoExecutor executor, UpstreamPool& pool,
                     const UpstreamUrl& upstream, std::string request, bool head);

    // `waiter->on_upstream` is called exactly once, unless cancel() comes first.
    void start(std::shared_ptr<UpstreamWaiter> waiter);
    // Drop the exchange (the client left); the connection is closed, not pooled.
    void cancel();
    // The client connection's deadline for this exchange (upstream_timeout from
    // the request) passed. Whatever is pending ends, and the waiter is told of a timeout.
    void expire();

private:
    void connect();
    void on_resolve(boost::beast::error_code ec, boost::asio::ip::tcp::resolver::results_type results);
    void on_connect(boost::beast::error_code ec, boost::asio::ip::tcp::endpoint);
    void on_connect_deadline(boost::beast::error_code ec);
    void send();
    void on_write(boost::beast::error_code ec, std::size_t);
    void release_request();
    void wait_response();
    void on_readable(boost::beast::error_code ec);
    void read();
    void on_read(boost::beast::error_code ec, std::size_t);
    bool retry_on_fresh_connection(boost::beast::error_code ec);
    void fail(boost::beast::error_code ec, const char* stage);
    void finish(UpstreamResult&& result);

    template <class F> auto bind(F f);

    std::shared_ptr<Context> ctx_;
    IoExecutor executor_;
    UpstreamPool& pool_;
    const UpstreamUrl& upstream_;
    const std::string& key_; // host:port, kept by the Context
    std::string request_; // on the wire; kept for the one retry while that is still possible
    const bool head_;
    std::shared_ptr<UpstreamWaiter> waiter_;
    std::optional<IoResolver> resolver_;
    std::optional<IoSocket> socket_;
    IoTimer connect_deadline_;
    boost::beast::flat_buffer buffer_;
    std::optional<boost::beast::http::response_parser<boost::beast::http::string_body>> parser_;
    bool from_pool_ = false;
    bool retried_ = false;
    bool cancelled_ = false;
    bool timed_out_ = false;
    bool connecting_ = false;
};

} // namespace boshtap::proxy
