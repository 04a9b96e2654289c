// A fast stand-in for the XMPP server's BOSH endpoint, the same upstream for every relay under
// test, so that only the hop differs between paths.
//
// Every request is answered with 200 and a BOSH body:
//   * the body named by the request's X-Stub-Reply header (a creation response with a sid, a
//     self-presence: lets a client script a session), else
//   * the next of the server->client presence bodies of the fixture transcripts (round robin).
// X-Stub-Hold: hold the response (a long-poll) until GET /stub-release on a direct connection.
// GET /stub-stats answers "held N answered M" (the drivers poll it; never relayed).
//
// Usage: bosh_stub --port P [--threads N] FIXTURE.txt...   prints "listening PORT" when ready.
#include "boshtap/core/transcript.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

struct Shared {
    std::vector<std::string> replies; // server->client presence bodies, 0.3-3 KB
    std::atomic<std::size_t> next{0};
    std::atomic<std::uint64_t> held{0};
    std::atomic<std::uint64_t> answered{0};
    std::mutex mutex;                          // guards waiters
    std::vector<std::function<void()>> waiters; // held sessions, released together
};

class Session : public std::enable_shared_from_this<Session> {
public:
    Session(tcp::socket s, Shared& shared) : stream_(std::move(s)), shared_(shared) {}

    void read() {
        parser_.emplace();
        parser_->body_limit(1 << 20);
        http::async_read(stream_, buffer_, *parser_,
                         [self = shared_from_this()](beast::error_code ec, std::size_t) {
                             if (!ec) self->handle();
                         });
    }

private:
    void handle() {
        auto req = parser_->release();
        parser_.reset();
        res_.emplace(http::status::ok, req.version());
        res_->keep_alive(req.keep_alive());
        if (req.target() == "/stub-stats") {
            res_->set(http::field::content_type, "text/plain");
            res_->body() = "held " + std::to_string(shared_.held.load()) + " answered " +
                           std::to_string(shared_.answered.load()) + "\n";
            return write();
        }
        if (req.target() == "/stub-release") {
            std::vector<std::function<void()>> waiters;
            {
                std::lock_guard lock(shared_.mutex);
                waiters.swap(shared_.waiters);
            }
            for (auto& w : waiters) w();
            res_->body() = "released " + std::to_string(waiters.size()) + "\n";
            return write();
        }
        res_->set(http::field::content_type, "text/xml; charset=utf-8");
        const auto reply = req.find("X-Stub-Reply");
        if (reply != req.end())
            res_->body() = std::string(reply->value());
        else
            res_->body() = shared_.replies[shared_.next.fetch_add(1, std::memory_order_relaxed) %
                                           shared_.replies.size()];
        if (req.find("X-Stub-Hold") != req.end()) {
            shared_.held.fetch_add(1);
            std::lock_guard lock(shared_.mutex);
            // Released from another connection's strand: hop back onto ours.
            shared_.waiters.push_back([self = shared_from_this()] {
                net::post(self->stream_.get_executor(), [self] {
                    self->shared_.held.fetch_sub(1);
                    self->write();
                });
            });
            return;
        }
        write();
    }

    void write() {
        res_->prepare_payload();
        http::async_write(stream_, *res_,
                          [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              self->shared_.answered.fetch_add(1, std::memory_order_relaxed);
                              const bool close = !self->res_->keep_alive();
                              self->res_.reset();
                              if (ec || close) return self->stream_.close();
                              self->read();
                          });
    }

    beast::tcp_stream stream_;
    Shared& shared_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    std::optional<http::response<http::string_body>> res_;
};

void accept(tcp::acceptor& acceptor, net::io_context& io, Shared& shared) {
    acceptor.async_accept(net::make_strand(io), [&](beast::error_code ec, tcp::socket s) {
        if (!ec) {
            s.set_option(tcp::no_delay(true), ec);
            std::make_shared<Session>(std::move(s), shared)->read();
        }
        accept(acceptor, io, shared);
    });
}

std::vector<std::string> presence_replies(const std::vector<std::string>& files) {
    std::vector<std::string> out;
    for (const auto& f : files) {
        std::ifstream in(f);
        std::stringstream text;
        text << in.rdbuf();
        for (const auto& s : boshtap::core::parse_transcript(text.str())) {
            if (s.from_client || s.is_frame || s.is_http_head) continue;
            const auto& p = s.payload;
            if (p.find("<presence") != std::string::npos && p.size() >= 300 && p.size() <= 3000)
                out.push_back(p);
        }
    }
    return out;
}

} // namespace

int main(int argc, char** argv) {
    unsigned short port = 0;
    unsigned threads = 1;
    std::vector<std::string> files;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--port" && i + 1 < argc) port = static_cast<unsigned short>(std::stoi(argv[++i]));
        else if (a == "--threads" && i + 1 < argc) threads = static_cast<unsigned>(std::stoi(argv[++i]));
        else files.push_back(a);
    }
    Shared shared;
    shared.replies = presence_replies(files);
    if (shared.replies.empty()) {
        std::fprintf(stderr, "bosh_stub: no presence bodies of 0.3-3 KB in the transcripts given\n");
        return 2;
    }
    net::io_context io(static_cast<int>(threads));
    tcp::acceptor acceptor(io, {net::ip::make_address("127.0.0.1"), port});
    acceptor.listen(net::socket_base::max_listen_connections);
    accept(acceptor, io, shared);
    net::signal_set signals(io, SIGTERM, SIGINT);
    signals.async_wait([&](beast::error_code, int) { io.stop(); });
    std::printf("listening %u replies %zu\n", acceptor.local_endpoint().port(), shared.replies.size());
    std::fflush(stdout);
    std::vector<std::thread> pool;
    for (unsigned i = 1; i < threads; ++i) pool.emplace_back([&] { io.run(); });
    io.run();
    for (auto& t : pool) t.join();
}
