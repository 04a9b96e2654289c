#include "relay_fixture.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <sys/socket.h>

namespace relay_test {

void RecordingTap::add(TapEvent e) {
    {
        std::lock_guard lock(mutex_);
        events_.push_back(std::move(e));
    }
    cv_.notify_all();
}

void RecordingTap::http_request(std::uint64_t id, boshtap::proxy::ClientMeta meta,
                                std::string body) {
    add({"http_request", id, std::move(meta), std::move(body), 0, {}, true});
}
void RecordingTap::http_response(std::uint64_t id, unsigned status, std::string encoding,
                                 std::string body) {
    add({"http_response", id, {}, std::move(body), status, std::move(encoding), false});
}
void RecordingTap::http_failed(std::uint64_t id) { add({"http_failed", id, {}, {}, 0, {}, false}); }
void RecordingTap::ws_open(std::uint64_t id, const boshtap::proxy::ClientMeta& meta) {
    add({"ws_open", id, meta, {}, 0, {}, false});
}
void RecordingTap::ws_message(std::uint64_t id, bool from_client, std::string payload) {
    add({"ws_message", id, {}, std::move(payload), 0, {}, from_client});
}
void RecordingTap::ws_closed(std::uint64_t id) { add({"ws_closed", id, {}, {}, 0, {}, false}); }

std::vector<TapEvent> RecordingTap::events() const {
    std::lock_guard lock(mutex_);
    return events_;
}

std::size_t RecordingTap::count(const std::string& kind) const {
    std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (const auto& e : events_) n += e.kind == kind;
    return n;
}

bool RecordingTap::wait_for(const std::string& kind, std::size_t n,
                            std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, timeout, [&] {
        std::size_t c = 0;
        for (const auto& e : events_) c += e.kind == kind;
        return c >= n;
    });
}

std::string raw_response(unsigned status, const std::string& reason,
                         const std::vector<std::pair<std::string, std::string>>& headers,
                         const std::string& body) {
    std::string out = "HTTP/1.1 " + std::to_string(status) + " " + reason + "\r\n";
    for (const auto& [name, value] : headers) out += name + ": " + value + "\r\n";
    out += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    return out;
}

Upstream::Upstream(Handler handler) : handler_(std::move(handler)), acceptor_(ioc_) {
    const tcp::endpoint ep{net::ip::make_address("127.0.0.1"), 0};
    acceptor_.open(ep.protocol());
    acceptor_.bind(ep);
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    acceptor_thread_ = std::thread([this] {
        for (;;) {
            auto socket = std::make_shared<tcp::socket>(ioc_);
            beast::error_code ec;
            acceptor_.accept(*socket, ec);
            if (ec || stopping_) return;
            ++accepts_;
            std::lock_guard lock(mutex_);
            sockets_.push_back(socket);
            threads_.emplace_back([this, socket] { serve(socket); });
        }
    });
}

Upstream::~Upstream() {
    stopping_ = true;
    ::shutdown(acceptor_.native_handle(), SHUT_RDWR); // wakes the blocking accept
    acceptor_thread_.join();
    std::vector<std::thread> threads;
    {
        std::lock_guard lock(mutex_);
        for (auto& s : sockets_) ::shutdown(s->native_handle(), SHUT_RDWR);
        threads = std::move(threads_);
    }
    for (auto& t : threads) t.join();
}

std::vector<Request> Upstream::requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
}

void Upstream::serve(std::shared_ptr<tcp::socket> socket) {
    beast::flat_buffer buffer;
    for (int index = 0;; ++index) {
        Request req;
        beast::error_code ec;
        http::read(*socket, buffer, req, ec);
        if (ec) {
            if (ec == http::error::end_of_stream) ++closed_by_peer_;
            return;
        }
        {
            std::lock_guard lock(mutex_);
            requests_.push_back(req);
        }
        const Reply reply = handler_(req, index);
        if (reply.drop) {
            socket->close(ec);
            return;
        }
        if (reply.hold) {
            char c;
            socket->read_some(net::buffer(&c, 1), ec); // until the relay gives up
            if (ec == net::error::eof) ++closed_by_peer_;
            return;
        }
        if (reply.delay.count() > 0) std::this_thread::sleep_for(reply.delay);
        if (stopping_) return;
        net::write(*socket, net::buffer(reply.raw), ec);
        if (ec) return;
        if (reply.close) {
            socket->shutdown(tcp::socket::shutdown_both, ec);
            return;
        }
    }
}

WsUpstream::WsUpstream(std::string refusal) : refusal_(std::move(refusal)), acceptor_(ioc_) {
    const tcp::endpoint ep{net::ip::make_address("127.0.0.1"), 0};
    acceptor_.open(ep.protocol());
    acceptor_.bind(ep);
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    acceptor_thread_ = std::thread([this] {
        for (;;) {
            auto socket = std::make_shared<tcp::socket>(ioc_);
            beast::error_code ec;
            acceptor_.accept(*socket, ec);
            if (ec || stopping_) return;
            std::lock_guard lock(mutex_);
            sockets_.push_back(socket);
            threads_.emplace_back([this, socket] { serve(socket); });
        }
    });
}

WsUpstream::~WsUpstream() {
    stopping_ = true;
    ::shutdown(acceptor_.native_handle(), SHUT_RDWR);
    acceptor_thread_.join();
    std::vector<std::thread> threads;
    {
        std::lock_guard lock(mutex_);
        for (auto& s : sockets_) ::shutdown(s->native_handle(), SHUT_RDWR);
        threads = std::move(threads_);
    }
    for (auto& t : threads) t.join();
}

std::vector<Request> WsUpstream::upgrades() const {
    std::lock_guard lock(mutex_);
    return upgrades_;
}
std::vector<std::pair<bool, std::string>> WsUpstream::received() const {
    std::lock_guard lock(mutex_);
    return received_;
}
std::vector<std::pair<unsigned, std::string>> WsUpstream::closes() const {
    std::lock_guard lock(mutex_);
    return closes_;
}
std::vector<std::string> WsUpstream::pings() const {
    std::lock_guard lock(mutex_);
    return pings_;
}
bool WsUpstream::wait_closes(std::size_t n, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, timeout, [&] { return closes_.size() >= n; });
}

bool WsUpstream::wait_ended(std::size_t n, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, timeout, [&] { return ended_ >= n; });
}

void WsUpstream::serve(std::shared_ptr<tcp::socket> socket) {
    namespace websocket = beast::websocket;
    beast::flat_buffer buffer;
    Request req;
    beast::error_code ec;
    http::read(*socket, buffer, req, ec);
    if (ec) return;
    {
        std::lock_guard lock(mutex_);
        upgrades_.push_back(req);
    }
    if (!refusal_.empty()) {
        net::write(*socket, net::buffer(refusal_), ec);
        socket->shutdown(tcp::socket::shutdown_send, ec);
        return;
    }
    websocket::stream<tcp::socket&> ws(*socket);
    const bool xmpp = std::string(req[http::field::sec_websocket_protocol]).find("xmpp") !=
                      std::string::npos;
    ws.set_option(websocket::stream_base::decorator([xmpp](websocket::response_type& res) {
        if (xmpp) res.set(http::field::sec_websocket_protocol, "xmpp");
    }));
    ws.read_message_max(64 << 20);
    ws.control_callback([this](websocket::frame_type kind, beast::string_view payload) {
        if (kind != websocket::frame_type::ping) return;
        std::lock_guard lock(mutex_);
        pings_.emplace_back(payload);
    });
    ws.accept(req, ec);
    if (ec) return;
    struct Ended {
        WsUpstream* self;
        tcp::socket& socket;
        ~Ended() {
            beast::error_code ignored;
            // As a real server closes when its connection ends (shutdown, not close: the
            // destructor may still reach this socket's descriptor).
            socket.shutdown(tcp::socket::shutdown_both, ignored);
            {
                std::lock_guard lock(self->mutex_);
                ++self->ended_;
            }
            self->cv_.notify_all();
        }
    } ended{this, *socket};
    for (;;) {
        beast::flat_buffer message;
        ws.read(message, ec);
        if (ec) {
            if (ec == websocket::error::closed) {
                {
                    std::lock_guard lock(mutex_);
                    closes_.emplace_back(ws.reason().code, std::string(ws.reason().reason.data(), ws.reason().reason.size()));
                }
                cv_.notify_all();
            }
            return;
        }
        const auto payload = beast::buffers_to_string(message.data());
        {
            std::lock_guard lock(mutex_);
            received_.emplace_back(ws.got_text(), payload);
        }
        if (payload == "close-me") {
            ws.close({static_cast<websocket::close_code>(4001), "server says bye"}, ec);
            continue; // read until the close reply arrives
        }
        if (payload.rfind("big:", 0) == 0) {
            ws.text(true);
            ws.write(net::buffer(std::string(std::stoul(payload.substr(4)), 'b')), ec);
        } else {
            ws.text(ws.got_text());
            ws.write(message.data(), ec);
        }
        if (ec) return;
    }
}

Relay::Relay(boshtap::proxy::ServerConfig cfg)
    : server_(std::make_unique<boshtap::proxy::Server>(std::move(cfg), tap)),
      thread_([this] { server_->run(); }) {}

Relay::~Relay() {
    if (!joined_) stop_and_join(0ms);
}

std::chrono::milliseconds Relay::stop_and_join(std::chrono::milliseconds drain) {
    const auto start = std::chrono::steady_clock::now();
    server_->stop(drain);
    thread_.join();
    joined_ = true;
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 start);
}

boshtap::proxy::ServerConfig config(std::uint16_t bosh_port, std::uint16_t ws_port) {
    boshtap::proxy::ServerConfig cfg;
    cfg.listen_port = 0;
    cfg.upstream = {"127.0.0.1", bosh_port, "/http-bind"};
    if (ws_port != 0) cfg.ws_upstream = boshtap::proxy::UpstreamUrl{"127.0.0.1", ws_port, "/xmpp-websocket"};
    cfg.threads = 2;
    return cfg;
}

std::uint16_t closed_port() {
    net::io_context ioc;
    tcp::acceptor a(ioc, {net::ip::make_address("127.0.0.1"), 0});
    return a.local_endpoint().port(); // closed as `a` goes
}

tcp::socket connect(std::uint16_t port) {
    static net::io_context ioc;
    tcp::socket socket(ioc);
    socket.connect({net::ip::make_address("127.0.0.1"), port});
    return socket;
}

Response exchange(tcp::socket& socket, beast::flat_buffer& buffer, Request req) {
    if (req[http::field::host].empty()) req.set(http::field::host, "meet.example");
    req.prepare_payload();
    http::write(socket, req);
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 << 20);
    if (req.method() == http::verb::head) parser.skip(true);
    http::read(socket, buffer, parser);
    return parser.release();
}

Response exchange(std::uint16_t port, Request req) {
    auto socket = connect(port);
    beast::flat_buffer buffer;
    return exchange(socket, buffer, std::move(req));
}

std::string raw_exchange(std::uint16_t port, const std::string& bytes) {
    auto socket = connect(port);
    net::write(socket, net::buffer(bytes));
    std::string out;
    beast::error_code ec;
    char chunk[4096];
    for (;;) {
        const auto n = socket.read_some(net::buffer(chunk), ec);
        out.append(chunk, n);
        if (ec) break;
    }
    return out;
}

Request post(const std::string& target, std::string body) {
    Request req{http::verb::post, target, 11};
    req.set(http::field::content_type, "text/xml; charset=utf-8");
    req.body() = std::move(body);
    return req;
}

} // namespace relay_test
