#pragma once
// In-test servers and a recording Tap for the relay tests. Upstreams are small synchronous
// Beast servers on loopback port 0, one thread per connection; clients are synchronous too.
#include "boshtap/proxy/server.hpp"
#include "boshtap/proxy/stats.hpp"
#include "boshtap/proxy/tap.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace relay_test {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

struct TapEvent {
    std::string kind; // http_request, http_response, http_failed, ws_open, ws_message, ws_closed
    std::uint64_t id = 0;
    boshtap::proxy::ClientMeta meta;
    std::string body;
    unsigned status = 0;
    std::string encoding;
    bool from_client = false;
};

class RecordingTap : public boshtap::proxy::Tap {
public:
    void http_request(std::uint64_t, boshtap::proxy::ClientMeta, std::string) override;
    void http_response(std::uint64_t, unsigned, std::string, std::string) override;
    void http_failed(std::uint64_t) override;
    void ws_open(std::uint64_t, const boshtap::proxy::ClientMeta&) override;
    void ws_message(std::uint64_t, bool, std::string) override;
    void ws_closed(std::uint64_t) override;

    std::vector<TapEvent> events() const;
    std::size_t count(const std::string& kind) const;
    // Waits until `count(kind) >= n`; false on timeout.
    bool wait_for(const std::string& kind, std::size_t n,
                  std::chrono::milliseconds timeout = 5000ms) const;

private:
    void add(TapEvent e);
    mutable std::mutex mutex_;
    mutable std::condition_variable cv_;
    std::vector<TapEvent> events_;
};

// What an upstream does with one request.
struct Reply {
    std::string raw;                  // bytes written as the response
    bool close = false;               // close the connection after writing
    std::chrono::milliseconds delay{0};
    bool hold = false;                // never answer: wait until the peer closes
    bool drop = false;                // close at once without answering
};
// A complete HTTP/1.1 response with Content-Length.
std::string raw_response(unsigned status, const std::string& reason,
                         const std::vector<std::pair<std::string, std::string>>& headers,
                         const std::string& body);

class Upstream {
public:
    // handler(request, index of the request on its connection (0-based))
    using Handler = std::function<Reply(const Request&, int)>;
    explicit Upstream(Handler handler);
    ~Upstream();
    std::uint16_t port() const { return port_; }
    int accepts() const { return accepts_.load(); }
    std::vector<Request> requests() const;
    int closed_by_peer() const { return closed_by_peer_.load(); }

private:
    void serve(std::shared_ptr<tcp::socket> socket);
    Handler handler_;
    net::io_context ioc_;
    tcp::acceptor acceptor_;
    std::uint16_t port_ = 0;
    std::atomic<bool> stopping_{false};
    std::atomic<int> accepts_{0};
    std::atomic<int> closed_by_peer_{0};
    mutable std::mutex mutex_;
    std::vector<Request> requests_;
    std::vector<std::shared_ptr<tcp::socket>> sockets_;
    std::vector<std::thread> threads_;
    std::thread acceptor_thread_;
};

// A WebSocket upstream (an XMPP server stand-in). It accepts with subprotocol "xmpp" when
// offered, records pings (and answers them), echoes every message with its type, answers "close-me" with close 4001, answers
// "big:N" with an N-byte text message; or, with `refusal`, writes that raw HTTP response.
class WsUpstream {
public:
    explicit WsUpstream(std::string refusal = {});
    ~WsUpstream();
    std::uint16_t port() const { return port_; }
    std::vector<Request> upgrades() const;
    std::vector<std::pair<bool, std::string>> received() const; // (text?, payload)
    std::vector<std::pair<unsigned, std::string>> closes() const; // close code, reason received
    std::vector<std::string> pings() const; // payloads of the pings received (Beast answers them)
    // Waits until `n` close frames have been received.
    bool wait_closes(std::size_t n, std::chrono::milliseconds timeout = 5000ms) const;
    // Waits until `n` accepted WebSocket connections have ended, however they ended.
    bool wait_ended(std::size_t n, std::chrono::milliseconds timeout = 5000ms) const;

private:
    void serve(std::shared_ptr<tcp::socket> socket);
    std::string refusal_;
    net::io_context ioc_;
    tcp::acceptor acceptor_;
    std::uint16_t port_ = 0;
    std::atomic<bool> stopping_{false};
    mutable std::mutex mutex_;
    mutable std::condition_variable cv_;
    std::vector<Request> upgrades_;
    std::vector<std::pair<bool, std::string>> received_;
    std::vector<std::pair<unsigned, std::string>> closes_;
    std::vector<std::string> pings_;
    std::size_t ended_ = 0;
    std::vector<std::shared_ptr<tcp::socket>> sockets_;
    std::vector<std::thread> threads_;
    std::thread acceptor_thread_;
};

// The relay under test, running on its own threads.
class Relay {
public:
    explicit Relay(boshtap::proxy::ServerConfig cfg);
    ~Relay();
    std::uint16_t port() const { return server_->port(); }
    boshtap::proxy::Server& server() { return *server_; }
    const boshtap::proxy::ServerStats& stats() const { return server_->stats(); }
    RecordingTap tap;
    // stop(drain) and wait for run() to return; returns how long that took.
    std::chrono::milliseconds stop_and_join(std::chrono::milliseconds drain);

private:
    std::unique_ptr<boshtap::proxy::Server> server_;
    std::thread thread_;
    bool joined_ = false;
};

boshtap::proxy::ServerConfig config(std::uint16_t bosh_port, std::uint16_t ws_port = 0);

// A port nothing listens on.
std::uint16_t closed_port();

tcp::socket connect(std::uint16_t port);
// One request/response on an open connection.
Response exchange(tcp::socket& socket, beast::flat_buffer& buffer, Request req);
// A fresh connection, one request, the response.
Response exchange(std::uint16_t port, Request req);
// Writes raw bytes, reads until the relay closes; everything received.
std::string raw_exchange(std::uint16_t port, const std::string& bytes);

Request post(const std::string& target, std::string body);

} // namespace relay_test
