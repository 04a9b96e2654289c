#include "upstream_exchange.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <fmt/format.h>

#include <sys/socket.h>

#include <cerrno>

namespace boshtap::proxy {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

// Enough for a typical BOSH response in one read; larger ones grow the buffer as they come.
constexpr std::size_t kReadBuffer = 4096;

} // namespace

template <class F> auto UpstreamExchange::bind(F f) {
    return beast::bind_front_handler(f, shared_from_this());
}

UpstreamExchange::UpstreamExchange(std::shared_ptr<Context> ctx, IoExecutor executor,
                                   UpstreamPool& pool, const UpstreamUrl& upstream,
                                   std::string request, bool head)
    : ctx_(std::move(ctx)), executor_(std::move(executor)), pool_(pool), upstream_(upstream),
      key_(ctx_->host(upstream)), request_(std::move(request)), head_(head),
      connect_deadline_(executor_) {}

void UpstreamExchange::start(std::shared_ptr<UpstreamWaiter> waiter) {
    waiter_ = std::move(waiter);
    if (auto socket = pool_.take(key_)) {
        from_pool_ = true;
        socket_.emplace(std::move(*socket));
        send();
    } else {
        connect();
    }
}

void UpstreamExchange::cancel() {
    cancelled_ = true;
    waiter_ = nullptr; // releases the client connection
    if (resolver_) resolver_->cancel();
    beast::error_code ignored;
    if (socket_) socket_->close(ignored);
    connect_deadline_.cancel();
}

void UpstreamExchange::connect() {
    from_pool_ = false;
    socket_.reset();
    resolver_.emplace(executor_);
    // The resolver has no timer of its own: the client connection's deadline bounds it
    // (expire()). Numeric hosts resolve at once.
    resolver_->async_resolve(upstream_.host, std::to_string(upstream_.port),
                             bind(&UpstreamExchange::on_resolve));
}

void UpstreamExchange::on_resolve(beast::error_code ec, IoResolver::results_type results) {
    if (cancelled_) return;
    if (timed_out_) return fail(beast::error::timeout, "resolve");
    if (ec) return fail(ec, "resolve");
    socket_.emplace(executor_);
    connecting_ = true;
    connect_deadline_.expires_after(ctx_->cfg.connect_timeout);
    connect_deadline_.async_wait(bind(&UpstreamExchange::on_connect_deadline));
    net::async_connect(*socket_, results, bind(&UpstreamExchange::on_connect));
}

void UpstreamExchange::on_connect(beast::error_code ec, tcp::endpoint) {
    connecting_ = false;
    connect_deadline_.cancel(); // from here on, the client connection's deadline bounds it
    if (cancelled_) return;
    if (timed_out_) return fail(beast::error::timeout, "connect");
    if (ec) return fail(ec, "connect");
    resolver_.reset();
    socket_->set_option(tcp::no_delay(true), ec);
    send();
}

void UpstreamExchange::on_connect_deadline(beast::error_code ec) {
    if (ec || !connecting_) return;
    expire();
}

void UpstreamExchange::expire() {
    if (cancelled_ || !waiter_ || timed_out_) return;
    // Whatever is pending completes with operation_aborted and reports the timeout.
    timed_out_ = true;
    if (resolver_) resolver_->cancel();
    beast::error_code ignored;
    if (socket_) socket_->close(ignored);
}

void UpstreamExchange::send() {
    // Write + response are bounded by the client connection's deadline (upstream_timeout,
    // which must exceed the longest BOSH hold: `wait`, up to 120 s on Prosody), see expire().
    net::async_write(*socket_, net::buffer(request_), bind(&UpstreamExchange::on_write));
}

void UpstreamExchange::on_write(beast::error_code ec, std::size_t) {
    if (cancelled_) return;
    if (timed_out_) return fail(beast::error::timeout, "write");
    if (ec) {
        if (retry_on_fresh_connection(ec)) return;
        return fail(ec, "write");
    }
    if (!from_pool_ || retried_) release_request(); // no retry left: the request can go
    wait_response();
}

void UpstreamExchange::release_request() {
    std::string().swap(request_);
}

void UpstreamExchange::wait_response() {
    // A readiness wait holds no buffer: a held long-poll waits here.
    socket_->async_wait(tcp::socket::wait_read, bind(&UpstreamExchange::on_readable));
}

void UpstreamExchange::on_readable(beast::error_code ec) {
    if (cancelled_) return;
    if (timed_out_) return fail(beast::error::timeout, "read");
    if (ec) return fail(ec, "read");
    // Take what is there now into a buffer sized for a whole typical response.
    const auto space = buffer_.prepare(kReadBuffer);
    const auto n = ::recv(socket_->native_handle(), space.data(), space.size(), MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return wait_response(); // a stale readiness event
    if (n <= 0) {
        buffer_.clear();
        const auto read_ec = n == 0 ? beast::error_code(net::error::eof)
                                    : beast::error_code(errno, beast::system_category());
        if (retry_on_fresh_connection(read_ec)) return;
        return fail(read_ec, "read");
    }
    buffer_.commit(static_cast<std::size_t>(n));
    release_request(); // the server answers: no retry from here on
    read();
}

void UpstreamExchange::read() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(ctx_->cfg.header_limit));
    parser_->body_limit(ctx_->cfg.body_limit);
    if (head_) parser_->skip(true); // RFC 9110 §9.3.2: no content, whatever Content-Length says
    // Parses what is buffered first; reads only if the response is not complete yet.
    http::async_read(*socket_, buffer_, *parser_, bind(&UpstreamExchange::on_read));
}

bool UpstreamExchange::retry_on_fresh_connection(beast::error_code ec) {
    // A pooled connection the server closed while idle fails on first use (RFC 9112 §9.3.1
    // allows a retry when nothing of the response arrived). BOSH requests are safe to resend:
    // the rid makes a duplicate a retransmission (XEP-0124 §14.3). Once only, fresh connection.
    if (!from_pool_ || retried_ || request_.empty()) return false;
    if (parser_ && parser_->got_some()) return false;
    if (buffer_.size() != 0) return false;
    if (ec == beast::error::timeout || timed_out_) return false;
    retried_ = true;
    buffer_.clear();
    parser_.reset();
    beast::error_code ignored;
    socket_->close(ignored);
    connect();
    return true;
}

void UpstreamExchange::on_read(beast::error_code ec, std::size_t) {
    if (cancelled_) return;
    if (timed_out_) return fail(beast::error::timeout, "read");
    if (ec) return fail(ec, "read");
    auto& res = parser_->get();
    // Interim 1xx responses (e.g. 103) precede the final one (RFC 9110 §15.2).
    if (res.result_int() / 100 == 1 && res.result() != http::status::switching_protocols)
        return read();

    const bool reusable = res.keep_alive() && !res.need_eof() && buffer_.size() == 0;
    UpstreamResult result;
    result.outcome = UpstreamResult::Outcome::ok;
    result.response = parser_->release();
    parser_.reset();
    if (reusable) {
        pool_.give(key_, std::move(*socket_));
    } else {
        beast::error_code ignored;
        socket_->close(ignored);
    }
    socket_.reset();
    finish(std::move(result));
}

void UpstreamExchange::fail(beast::error_code ec, const char* stage) {
    beast::error_code ignored;
    if (socket_) socket_->close(ignored);
    UpstreamResult result;
    if (ec == beast::error::timeout) {
        result.outcome = UpstreamResult::Outcome::timeout;
        result.error = fmt::format("upstream {} did not answer in time ({})", key_, stage);
    } else if (ec == http::error::body_limit) {
        result.outcome = UpstreamResult::Outcome::too_large;
        result.error = fmt::format("upstream {} response is larger than the body limit", key_);
    } else if (ec == http::error::header_limit) {
        result.outcome = UpstreamResult::Outcome::too_large;
        result.error = fmt::format("upstream {} response header is larger than the limit", key_);
    } else {
        result.outcome = UpstreamResult::Outcome::failed;
        result.error = fmt::format("upstream {} {} failed: {}", key_, stage, ec.message());
    }
    finish(std::move(result));
}

void UpstreamExchange::finish(UpstreamResult&& result) {
    auto waiter = std::move(waiter_);
    waiter_ = nullptr;
    if (waiter) waiter->on_upstream(std::move(result));
}

} // namespace boshtap::proxy
