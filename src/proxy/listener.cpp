#include "listener.hpp"

#include "http_session.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <system_error>

namespace boshtap::proxy {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;

// An exchange open this long may be a held long-poll: only then is nginx's socket watched
// for a client that gives up (see DelayedWatches).
constexpr auto kClientWatchDelay = std::chrono::milliseconds(50);

Listener::Listener(net::io_context& ioc, std::shared_ptr<Context> ctx)
    : ioc_(ioc), ctx_(std::move(ctx)), strand_(net::make_strand(ioc)), acceptor_(strand_),
      retry_(strand_),
      watches_(std::make_shared<DelayedWatches>(ioc.get_executor(), kClientWatchDelay)) {
    const auto& cfg = ctx_->cfg;
    auto where = [&] { return fmt::format("cannot listen on {}:{}", cfg.listen_address, cfg.listen_port); };
    beast::error_code ec;
    const auto address = net::ip::make_address(cfg.listen_address, ec);
    if (ec) throw std::system_error(ec, where());
    const tcp::endpoint endpoint{address, cfg.listen_port};
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) throw std::system_error(ec, where());
    port_ = acceptor_.local_endpoint().port();
}

void Listener::run() {
    net::dispatch(strand_, beast::bind_front_handler(&Listener::accept, shared_from_this()));
}

void Listener::stop() {
    net::post(strand_, [self = shared_from_this()] {
        self->stopped_ = true;
        beast::error_code ignored;
        self->acceptor_.close(ignored);
        self->retry_.cancel();
    });
}

void Listener::accept() {
    if (stopped_) return;
    // Each connection gets its own strand: its handlers never run concurrently, while
    // different connections use all I/O threads.
    acceptor_.async_accept(net::make_strand(ioc_),
                           beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
}

void Listener::on_accept(beast::error_code ec, StrandSocket socket) {
    if (stopped_) return;
    if (ec) {
        // E.g. EMFILE: back off briefly instead of spinning, and say so once a minute.
        ++accept_errors_unreported_;
        const auto now = std::chrono::steady_clock::now();
        if (now - last_accept_report_ >= std::chrono::minutes(1)) {
            spdlog::warn("accept failed: {} ({} times since the last report); new connections "
                         "wait in the backlog",
                         ec.message(), accept_errors_unreported_);
            accept_errors_unreported_ = 0;
            last_accept_report_ = now;
        }
        retry_.expires_after(std::chrono::milliseconds(100));
        retry_.async_wait([self = shared_from_this()](beast::error_code wait_ec) {
            if (!wait_ec) self->accept();
        });
        return;
    }
    ctx_->stats.connections_accepted.fetch_add(1, std::memory_order_relaxed);
    socket.set_option(tcp::no_delay(true), ec);
    std::make_shared<HttpSession>(ctx_, watches_, std::move(socket))->run();
    accept();
}

} // namespace boshtap::proxy
