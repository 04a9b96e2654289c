#pragma once
// Accepts nginx's connections; each gets its own strand and an HttpSession.
#include "context.hpp"
#include "delayed_watches.hpp"
#include "executors.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/error.hpp>

#include <chrono>
#include <memory>

namespace boshtap::proxy {

class Listener : public std::enable_shared_from_this<Listener> {
public:
    // Binds and listens; throws std::system_error naming the address on failure.
    Listener(boost::asio::io_context& ioc, std::shared_ptr<Context> ctx);
    std::uint16_t port() const { return port_; }
    void run();
    void stop(); // thread-safe

private:
    void accept();
    void on_accept(boost::beast::error_code ec, StrandSocket socket);

    boost::asio::io_context& ioc_;
    std::shared_ptr<Context> ctx_;
    Strand strand_;
    boost::asio::basic_socket_acceptor<boost::asio::ip::tcp, Strand> acceptor_;
    StrandTimer retry_;
    std::shared_ptr<DelayedWatches> watches_; // shared by this listener's sessions
    // accept() errors (EMFILE under a connection flood) are logged once a minute with a count.
    std::chrono::steady_clock::time_point last_accept_report_{};
    std::uint64_t accept_errors_unreported_ = 0;
    std::uint16_t port_ = 0;
    bool stopped_ = false;
};

} // namespace boshtap::proxy
