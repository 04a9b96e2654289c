#pragma once
// The admin endpoint (--admin-listen, loopback by default): a small HTTP/1.1 server on its own
// thread, so that a busy relay or a stuck auditor cannot hide from /healthz.
#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

namespace boshtap::app {

struct AdminResponse {
    unsigned status = 200;
    std::string content_type = "text/plain; charset=utf-8";
    std::string body;
};

// Called on the admin thread for GET/HEAD requests that passed the token check.
using AdminHandler = std::function<AdminResponse(std::string_view path, std::string_view query)>;

struct AdminOptions {
    std::string address = "127.0.0.1";
    std::uint16_t port = 9090;
    // When set, every path but /healthz needs "Authorization: Bearer <token>".
    std::optional<std::string> token;
};

class AdminServer {
public:
    // Binds at once (throws std::system_error on failure).
    AdminServer(AdminOptions, AdminHandler);
    ~AdminServer();
    AdminServer(const AdminServer&) = delete;
    AdminServer& operator=(const AdminServer&) = delete;

    std::uint16_t port() const;
    boost::asio::io_context& context();
    // Before start(): the handler may need the context (probes run on it).
    void set_handler(AdminHandler);
    void start();
    void stop();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Constant-time comparison of a presented bearer token with the expected one.
bool token_matches(std::string_view authorization_header, std::string_view token);

} // namespace boshtap::app
