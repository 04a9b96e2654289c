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

Listener::Listener(std::span<const std::unique_ptr<Worker>> workers, std::shared_ptr<Context> ctx)
    : workers_(workers), ctx_(std::move(ctx)), acceptor_(workers_.front()->io.get_executor()),
      retry_(acceptor_.get_executor()) {
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
    net::dispatch(acceptor_.get_executor(),
                  beast::bind_front_handler(&Listener::accept, shared_from_this()));
}

void Listener::stop() {
    net::post(acceptor_.get_executor(), [self = shared_from_this()] {
        self->stopped_ = true;
        beast::error_code ignored;
        self->acceptor_.close(ignored);
        self->retry_.cancel();
    });
}

void Listener::accept() {
    if (stopped_) return;
    // The connection's socket is made on its worker's io_context: from here on, all of it runs
    // on that one thread.
    Worker& worker = least_loaded();
    acceptor_.async_accept(
        worker.io.get_executor(),
        [self = shared_from_this(), &worker](beast::error_code ec, IoSocket socket) {
            self->on_accept(worker, ec, std::move(socket));
        });
}

// The worker with the fewest open connections, the first of equals (so a quiet server keeps
// using the first worker's warm upstream pool). Connections are long-lived (nginx keeps its
// upstream connections, a WebSocket lasts a meeting), so a new one goes where the fewest
// already are; a connection never moves between threads.
Worker& Listener::least_loaded() {
    Worker* best = workers_.front().get();
    for (const auto& w : workers_.subspan(1))
        if (w->connections.load(std::memory_order_relaxed) <
            best->connections.load(std::memory_order_relaxed))
            best = w.get();
    return *best;
}

void Listener::on_accept(Worker& worker, beast::error_code ec, IoSocket socket) {
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
    std::make_shared<HttpSession>(ctx_, worker, std::move(socket))->run();
    accept();
}

} // namespace boshtap::proxy
