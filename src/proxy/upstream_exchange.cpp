#include "upstream_exchange.hpp"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/error.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <fmt/format.h>

namespace boshtap::proxy {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

template <class F> auto UpstreamExchange::bind(F f) {
    return net::bind_executor(strand_, beast::bind_front_handler(f, shared_from_this()));
}

UpstreamExchange::UpstreamExchange(std::shared_ptr<Context> ctx, net::any_io_executor strand,
                                   const UpstreamUrl& upstream,
                                   http::request<http::string_body> request)
    : ctx_(std::move(ctx)), strand_(std::move(strand)), upstream_(upstream),
      key_(fmt::format("{}:{}", upstream.host, upstream.port)), request_(std::move(request)),
      head_(request_.method() == http::verb::head) {}

void UpstreamExchange::start(Handler done) {
    done_ = std::move(done);
    if (auto socket = ctx_->pool.take(key_)) {
        from_pool_ = true;
        stream_.emplace(std::move(*socket));
        send();
    } else {
        connect();
    }
}

void UpstreamExchange::cancel() {
    cancelled_ = true;
    done_ = nullptr; // releases the client connection
    if (resolver_) resolver_->cancel();
    if (stream_) stream_->close();
}

void UpstreamExchange::connect() {
    from_pool_ = false;
    stream_.reset();
    resolver_.emplace(ctx_->io);
    // The resolver has no timer of its own; numeric hosts resolve at once.
    resolver_->async_resolve(upstream_.host, std::to_string(upstream_.port),
                             bind(&UpstreamExchange::on_resolve));
}

void UpstreamExchange::on_resolve(beast::error_code ec, tcp::resolver::results_type results) {
    if (cancelled_) return;
    if (ec) return fail(ec, "resolve");
    stream_.emplace(ctx_->io);
    stream_->expires_after(ctx_->cfg.connect_timeout);
    stream_->async_connect(results, bind(&UpstreamExchange::on_connect));
}

void UpstreamExchange::on_connect(beast::error_code ec, tcp::endpoint) {
    if (cancelled_) return;
    if (ec) return fail(ec, "connect");
    resolver_.reset();
    send();
}

void UpstreamExchange::send() {
    // One deadline for write + response: it must exceed the longest BOSH hold (`wait`, up to
    // 120 s on Prosody) so no long-poll is ever cut by boshtap.
    stream_->expires_after(ctx_->cfg.upstream_timeout);
    http::async_write(*stream_, request_, bind(&UpstreamExchange::on_write));
}

void UpstreamExchange::on_write(beast::error_code ec, std::size_t) {
    if (cancelled_) return;
    if (ec) {
        if (retry_on_fresh_connection(ec)) return;
        return fail(ec, "write");
    }
    read();
}

void UpstreamExchange::read() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(ctx_->cfg.header_limit));
    parser_->body_limit(ctx_->cfg.body_limit);
    if (head_) parser_->skip(true); // RFC 9110 §9.3.2: no content, whatever Content-Length says
    http::async_read(*stream_, buffer_, *parser_, bind(&UpstreamExchange::on_read));
}

bool UpstreamExchange::retry_on_fresh_connection(beast::error_code ec) {
    // A pooled connection the server closed while idle fails on first use (RFC 9112 §9.3.1
    // allows a retry when nothing of the response arrived). BOSH requests are safe to resend:
    // the rid makes a duplicate a retransmission (XEP-0124 §14.3). Once only, fresh connection.
    if (!from_pool_ || retried_) return false;
    if (parser_ && parser_->got_some()) return false;
    if (buffer_.size() != 0) return false;
    if (ec == beast::error::timeout) return false;
    retried_ = true;
    buffer_.clear();
    parser_.reset();
    connect();
    return true;
}

void UpstreamExchange::on_read(beast::error_code ec, std::size_t) {
    if (cancelled_) return;
    if (ec) {
        if (ec == http::error::end_of_stream || ec == net::error::connection_reset ||
            ec == net::error::broken_pipe || ec == net::error::eof) {
            if (retry_on_fresh_connection(ec)) return;
        }
        return fail(ec, "read");
    }
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
        stream_->expires_never();
        ctx_->pool.give(key_, stream_->release_socket());
    } else {
        stream_->close();
    }
    stream_.reset();
    finish(std::move(result));
}

void UpstreamExchange::fail(beast::error_code ec, const char* stage) {
    if (stream_) stream_->close();
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
    auto done = std::move(done_);
    done_ = nullptr;
    if (done) done(std::move(result));
}

} // namespace boshtap::proxy
