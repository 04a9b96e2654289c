#include "boshtap/app/admin_server.hpp"

#include "boshtap/proxy/thread_name.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <spdlog/spdlog.h>

#include <chrono>

namespace boshtap::app {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

bool token_matches(std::string_view header, std::string_view token)
{
    constexpr std::string_view scheme = "Bearer ";
    if (header.size() != scheme.size() + token.size() || header.substr(0, scheme.size()) != scheme)
        return false;
    unsigned char diff = 0;
    for (std::size_t i = 0; i < token.size(); ++i)
        diff |= static_cast<unsigned char>(header[scheme.size() + i] ^ token[i]);
    return diff == 0;
}

namespace {

class AdminSession : public std::enable_shared_from_this<AdminSession> {
public:
    AdminSession(tcp::socket socket, const AdminOptions& options, const AdminHandler& handler)
        : stream_(std::move(socket)), options_(options), handler_(handler)
    {
    }

    void start() { read(); }

private:
    void read()
    {
        req_ = {};
        stream_.expires_after(std::chrono::seconds(30));
        http::async_read(stream_, buffer_, req_,
                         [self = shared_from_this()](beast::error_code ec, std::size_t) {
                             if (!ec) self->respond();
                         });
    }

    void respond()
    {
        const std::string_view target = req_.target();
        const auto q = target.find('?');
        const auto path = target.substr(0, q);
        const auto query = q == std::string_view::npos ? std::string_view{} : target.substr(q + 1);

        AdminResponse r;
        if (req_.method() != http::verb::get && req_.method() != http::verb::head) {
            r = {405, "text/plain; charset=utf-8", "only GET and HEAD\n"};
        } else if (options_.token && path != "/healthz" &&
                   !token_matches(req_[http::field::authorization], *options_.token)) {
            r = {401, "text/plain; charset=utf-8", "a bearer token is required\n"};
        } else {
            try {
                r = handler_(path, query);
            } catch (const std::exception& e) {
                r = {500, "text/plain; charset=utf-8", std::string(e.what()) + "\n"};
            }
        }
        res_ = {static_cast<http::status>(r.status), req_.version()};
        res_.set(http::field::content_type, r.content_type);
        res_.set(http::field::cache_control, "no-store");
        if (r.status == 401) res_.set(http::field::www_authenticate, "Bearer");
        res_.body() = std::move(r.body);
        res_.keep_alive(req_.keep_alive());
        res_.prepare_payload();
        if (req_.method() == http::verb::head) res_.body().clear();
        http::async_write(stream_, res_,
                          [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              if (ec) return;
                              if (self->res_.keep_alive())
                                  self->read();
                              else
                                  self->stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
                          });
    }

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_{8192};
    http::request<http::string_body> req_;
    http::response<http::string_body> res_;
    const AdminOptions& options_;
    const AdminHandler& handler_;
};

} // namespace

struct AdminServer::Impl {
    AdminOptions options;
    AdminHandler handler;
    asio::io_context io{1};
    tcp::acceptor acceptor{io};
    asio::steady_timer retry{io};
    std::thread thread;

    void accept()
    {
        acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
            if (ec == asio::error::operation_aborted) return;
            if (!ec) {
                std::make_shared<AdminSession>(std::move(socket), options, handler)->start();
                return accept();
            }
            // EMFILE and the like: accepting again at once would spin on the same error.
            retry.expires_after(std::chrono::milliseconds(100));
            retry.async_wait([this](beast::error_code wait_ec) {
                if (!wait_ec) accept();
            });
        });
    }
};

AdminServer::AdminServer(AdminOptions options, AdminHandler handler)
    : impl_(std::make_unique<Impl>())
{
    impl_->options = std::move(options);
    impl_->handler = std::move(handler);
    const tcp::endpoint ep(asio::ip::make_address(impl_->options.address), impl_->options.port);
    impl_->acceptor.open(ep.protocol());
    impl_->acceptor.set_option(asio::socket_base::reuse_address(true));
    impl_->acceptor.bind(ep);
    impl_->acceptor.listen();
}

AdminServer::~AdminServer()
{
    stop();
}

std::uint16_t AdminServer::port() const
{
    return impl_->acceptor.local_endpoint().port();
}

asio::io_context& AdminServer::context()
{
    return impl_->io;
}

void AdminServer::set_handler(AdminHandler handler)
{
    impl_->handler = std::move(handler);
}

void AdminServer::start()
{
    impl_->accept();
    impl_->thread = std::thread([this] {
        proxy::name_this_thread("boshtap-admin");
        impl_->io.run();
    });
}

void AdminServer::stop()
{
    if (!impl_->thread.joinable()) return;
    impl_->io.stop();
    impl_->thread.join();
}

} // namespace boshtap::app
