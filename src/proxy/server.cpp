#include "boshtap/proxy/server.hpp"

#include "boshtap/proxy/thread_name.hpp"

#include "boshtap/proxy/stats.hpp"
#include "context.hpp"
#include "listener.hpp"

#include <boost/asio/executor_work_guard.hpp>
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

// Threading: `threads` threads, each running an io_context of its own (a Worker), and every
// connection lives on one of them from accept to close: its handlers run one at a time on that
// thread, an implicit strand. A strand per connection on one shared io_context was measured
// against this: about 10 % more CPU per forwarded request (every completion went through the
// scheduler twice) and the threads contending for the scheduler's lock (docs/performance.md,
// run 12). nginx and HAProxy keep a connection on one thread (or worker) the same way. New
// connections go to the least loaded worker (see Listener). Threads share only the registry
// (once per connection), the tap's inbox and the stats counters.
struct Server::Impl {
    Impl(ServerConfig cfg, Tap& tap)
        : workers(make_workers(cfg, cfg.threads == 0 ? 1 : cfg.threads)),
          ctx(std::make_shared<Context>(std::move(cfg), tap, stats)),
          control(net::make_strand(workers.front()->io)), drain_timer(control),
          final_timer(control) {
        // A worker without connections has nothing pending; it must not return from run().
        for (const auto& w : workers) keep_running.push_back(net::make_work_guard(w->io));
        listener = std::make_shared<Listener>(workers, ctx);
        ctx->registry.on_drained([this] {
            net::post(control, [this] {
                drain_timer.cancel();
                final_timer.cancel();
            });
        });
        listener->run();
    }

    ~Impl() { ctx->registry.on_drained(nullptr); }

    static std::vector<std::unique_ptr<Worker>> make_workers(const ServerConfig& cfg, unsigned n) {
        std::vector<std::unique_ptr<Worker>> out;
        for (unsigned i = 0; i < n; ++i) out.push_back(std::make_unique<Worker>(cfg));
        return out;
    }

    void run_io(net::io_context& io);

    void stop(std::chrono::milliseconds drain) {
        net::post(control, [this, drain] {
            if (stopping) return;
            stopping = true;
            listener->stop();
            // From here on a worker's run() returns once its last connection has closed.
            for (auto& guard : keep_running) guard.reset();
            drain_timer.expires_after(drain);
            drain_timer.async_wait([this](boost::system::error_code) { close_all(); });
            ctx->registry.shutdown_all(false);
        });
    }

    // The drain deadline passed (or everything finished): close what is left.
    void close_all() {
        for (const auto& w : workers) w->pool.clear();
        if (ctx->registry.size() == 0) return;
        ctx->registry.shutdown_all(true);
        // Closing sockets ends every operation promptly; this is only a backstop so run()
        // returns even if something (e.g. a hung name lookup) would keep a worker busy.
        final_timer.expires_after(std::chrono::seconds(2));
        final_timer.async_wait([this](boost::system::error_code ec) {
            if (ec) return;
            for (const auto& w : workers) w->io.stop();
        });
    }

    ServerStats stats;
    // Declared before everything that lives on their io_contexts: destroyed after it.
    const std::vector<std::unique_ptr<Worker>> workers;
    std::shared_ptr<Context> ctx;
    std::vector<net::executor_work_guard<IoExecutor>> keep_running;
    net::strand<IoExecutor> control; // on the first worker; stop() posts to it from any thread
    net::steady_timer drain_timer;
    net::steady_timer final_timer;
    std::shared_ptr<Listener> listener;
    bool stopping = false; // on `control`
};

Server::Server(ServerConfig cfg, Tap& tap) : impl_(std::make_unique<Impl>(std::move(cfg), tap)) {}

Server::~Server() = default;

std::uint16_t Server::port() const { return impl_->listener->port(); }

void Server::Impl::run_io(net::io_context& io) {
    // An exception out of a handler unwinds only that handler: its connection loses its last
    // owner and closes. Every other connection on this thread must go on, so the thread
    // resumes run() (Asio allows this) instead of taking the whole process down.
    for (;;) {
        try {
            io.run();
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
    for (std::size_t i = 1; i < impl_->workers.size(); ++i)
        extra.emplace_back([this, i] {
            const auto name = "boshtap-io" + std::to_string(i);
            name_this_thread(name.c_str());
            impl_->run_io(impl_->workers[i]->io);
        });
    impl_->run_io(impl_->workers.front()->io);
    for (auto& thread : extra) thread.join();
}

void Server::stop(std::chrono::milliseconds drain) { impl_->stop(drain); }

const ServerStats& Server::stats() const { return impl_->stats; }

} // namespace boshtap::proxy
