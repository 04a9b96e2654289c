#pragma once
// Accepts nginx's connections on the first worker's thread and gives each to the worker with
// the fewest open connections, where it gets an HttpSession and stays.
#include "context.hpp"
#include "executors.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/error.hpp>

#include <chrono>
#include <memory>
#include <span>

namespace boshtap::proxy {

class Listener : public std::enable_shared_from_this<Listener> {
public:
    // Binds and listens; throws std::system_error naming the address on failure.
    // `workers` outlive the listener; it runs on the first one.
    Listener(std::span<const std::unique_ptr<Worker>> workers, std::shared_ptr<Context> ctx);
    std::uint16_t port() const { return port_; }
    void run();
    void stop(); // thread-safe

private:
    void accept();
    Worker& least_loaded();
    void on_accept(Worker& worker, boost::beast::error_code ec, IoSocket socket);

    const std::span<const std::unique_ptr<Worker>> workers_;
    std::shared_ptr<Context> ctx_;
    boost::asio::basic_socket_acceptor<boost::asio::ip::tcp, IoExecutor> acceptor_;
    IoTimer retry_;
    // accept() errors (EMFILE under a connection flood) are logged once a minute with a count.
    std::chrono::steady_clock::time_point last_accept_report_{};
    std::uint64_t accept_errors_unreported_ = 0;
    std::uint16_t port_ = 0;
    bool stopped_ = false;
};

} // namespace boshtap::proxy
