#include "boshtap/proxy/server.hpp"

#include "boshtap/proxy/thread_name.hpp"

#include "boshtap/proxy/stats.hpp"
#include "context.hpp"
#include "listener.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <spdlog/spdlog.h>

#include <exception>
#include <thread>
#include <vector>

namespace boshtap::proxy {

namespace net = boost::asio;

// Threading: `threads` threads run one io_context and every connection has its own strand
// (rather than one io_context per thread). Connections differ wildly in cost (held long-polls
// vs. busy WebSockets); with one shared queue any idle thread takes the next ready handler,
// where per-thread contexts would pin a connection to a possibly busy thread. The price is
// shared state under locks: only the upstream pool and the registry, touched once per exchange.
struct Server::Impl {
    Impl(ServerConfig cfg, Tap& tap)
        : threads(cfg.threads == 0 ? 1 : cfg.threads), ioc(static_cast<int>(threads)),
          ctx(std::make_shared<Context>(std::move(cfg), tap, stats, ioc.get_executor())),
          control(net::make_strand(ioc)), drain_timer(control), final_timer(control) {
        listener = std::make_shared<Listener>(ioc, ctx);
        ctx->registry.on_drained([this] {
            net::post(control, [this] {
                drain_timer.cancel();
                final_timer.cancel();
            });
        });
        listener->run();
    }

    ~Impl() { ctx->registry.on_drained(nullptr); }

    void run_io();

    void stop(std::chrono::milliseconds drain) {
        net::post(control, [this, drain] {
            if (stopping) return;
            stopping = true;
            listener->stop();
            drain_timer.expires_after(drain);
            drain_timer.async_wait([this](boost::system::error_code) { close_all(); });
            ctx->registry.shutdown_all(false);
        });
    }

    // The drain deadline passed (or everything finished): close what is left.
    void close_all() {
        ctx->pool.clear();
        if (ctx->registry.size() == 0) return;
        ctx->registry.shutdown_all(true);
        // Closing sockets ends every operation promptly; this is only a backstop so run()
        // returns even if something (e.g. a hung name lookup) would keep the io_context busy.
        final_timer.expires_after(std::chrono::seconds(2));
        final_timer.async_wait([this](boost::system::error_code ec) {
            if (!ec) ioc.stop();
        });
    }

    const unsigned threads;
    ServerStats stats;
    net::io_context ioc;
    std::shared_ptr<Context> ctx;
    net::strand<net::io_context::executor_type> control;
    net::steady_timer drain_timer;
    net::steady_timer final_timer;
    std::shared_ptr<Listener> listener;
    bool stopping = false; // on `control`
};

Server::Server(ServerConfig cfg, Tap& tap) : impl_(std::make_unique<Impl>(std::move(cfg), tap)) {}

Server::~Server() = default;

std::uint16_t Server::port() const { return impl_->listener->port(); }

void Server::Impl::run_io() {
    // An exception out of a handler unwinds only that handler: its connection loses its last
    // owner and closes. Every other connection on this thread must go on, so the thread
    // resumes run() (Asio allows this) instead of taking the whole process down.
    for (;;) {
        try {
            ioc.run();
            return;
        } catch (const std::exception& e) {
            const auto n = stats.handler_exceptions.fetch_add(1, std::memory_order_relaxed) + 1;
            if (n == 1 || n % 1000 == 0) // count it, say it once in a while, go on
                spdlog::error("a connection's handler failed: {} ({} so far); that connection "
                              "was closed, all others go on",
                              e.what(), n);
        }
    }
}

void Server::run() {
    std::vector<std::thread> extra;
    for (unsigned i = 1; i < impl_->threads; ++i)
        extra.emplace_back([this, i] {
            const auto name = "boshtap-io" + std::to_string(i);
            name_this_thread(name.c_str());
            impl_->run_io();
        });
    impl_->run_io();
    for (auto& thread : extra) thread.join();
}

void Server::stop(std::chrono::milliseconds drain) { impl_->stop(drain); }

const ServerStats& Server::stats() const { return impl_->stats; }

} // namespace boshtap::proxy
