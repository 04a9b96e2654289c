// Opens N keep-alive connections to a relay; on each, creates a BOSH session and then sends one
// long-poll (an empty body, as a client's idle poll is) marked for the stub to hold. Prints
// "sent N" once every poll is written and "done ok=A failed=B" once every poll is answered.
//
// Usage: hold_client --port P --count N [--path /http-bind]
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include <cstdio>
#include <memory>
#include <string>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

struct Run {
    net::io_context io;
    tcp::endpoint target;
    std::string path = "/http-bind";
    std::size_t count = 0, started = 0, sent = 0, ok = 0, failed = 0;
    std::size_t in_connect = 0;
};

// Connects are paced (a bounded number in flight) so the relay's accept backlog never drops
// SYNs, which would turn into 1 s retransmission stalls and skew the ramp.
constexpr std::size_t max_connecting = 128;

void start_more(Run& run);

class Poll : public std::enable_shared_from_this<Poll> {
public:
    Poll(Run& run, std::size_t n) : run_(run), socket_(run.io) {
        // A session of its own: the creation exchange (the stub answers with this sid), then
        // the held poll, as a client's idle long-poll is, on the same keep-alive connection.
        const std::string sid = "hold-" + std::to_string(n);
        const auto rid = 4000000 + n;
        create_ = post("<body rid=\"" + std::to_string(rid) + "\" to=\"meet.jitsi\" wait=\"60\" "
                       "hold=\"1\" ver=\"1.6\" xmlns=\"http://jabber.org/protocol/httpbind\"/>",
                       "X-Stub-Reply: <body xmlns=\"http://jabber.org/protocol/httpbind\" sid=\"" +
                           sid + "\" wait=\"60\" inactivity=\"60\" requests=\"2\" hold=\"1\"/>\r\n");
        poll_ = post("<body rid=\"" + std::to_string(rid + 1) + "\" sid=\"" + sid +
                         "\" xmlns=\"http://jabber.org/protocol/httpbind\"/>",
                     "X-Stub-Hold: 1\r\n");
    }

    void start() {
        ++run_.in_connect;
        socket_.async_connect(run_.target, [self = shared_from_this()](beast::error_code ec) {
            --self->run_.in_connect;
            start_more(self->run_);
            if (ec) return self->fail();
            self->exchange(self->create_, [self] { self->hold(); });
        });
    }

private:
    std::string post(const std::string& body, const std::string& extra_headers) const {
        return "POST " + run_.path + " HTTP/1.1\r\nHost: meet.jitsi\r\n"
               "Content-Type: text/xml; charset=utf-8\r\nUser-Agent: boshtap-bench\r\n" +
               extra_headers + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
               body;
    }

    void hold() {
        exchange(poll_, [self = shared_from_this()] {
            ++self->run_.ok;
            self->finish();
        });
        if (++run_.sent == run_.count) {
            std::printf("sent %zu\n", run_.sent);
            std::fflush(stdout);
        }
    }

    template <class Next> void exchange(const std::string& request, Next next) {
        net::async_write(socket_, net::buffer(request),
                         [self = shared_from_this(), next](beast::error_code ec, std::size_t) {
                             if (ec) return self->fail();
                             self->response_ = {};
                             http::async_read(self->socket_, self->buffer_, self->response_,
                                              [self, next](beast::error_code ec, std::size_t) {
                                                  if (ec || self->response_.result_int() != 200)
                                                      return self->fail();
                                                  next();
                                              });
                         });
    }

private:
    void fail() {
        ++run_.failed;
        finish();
    }
    void finish() {
        beast::error_code ignored;
        socket_.close(ignored);
        if (run_.ok + run_.failed == run_.count) {
            std::printf("done ok=%zu failed=%zu\n", run_.ok, run_.failed);
            std::fflush(stdout);
        }
    }

    Run& run_;
    tcp::socket socket_;
    std::string create_, poll_;
    beast::flat_buffer buffer_;
    http::response<http::string_body> response_;
};

void start_more(Run& run) {
    while (run.started < run.count && run.in_connect < max_connecting)
        std::make_shared<Poll>(run, run.started++)->start();
}

} // namespace

int main(int argc, char** argv) {
    Run run;
    unsigned short port = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        if (a == "--port") port = static_cast<unsigned short>(std::stoi(argv[i + 1]));
        else if (a == "--count") run.count = std::stoul(argv[i + 1]);
        else if (a == "--path") run.path = argv[i + 1];
    }
    if (port == 0 || run.count == 0) {
        std::fprintf(stderr, "usage: hold_client --port P --count N [--path /http-bind]\n");
        return 2;
    }
    run.target = {net::ip::make_address("127.0.0.1"), port};
    start_more(run);
    run.io.run();
    return run.failed == 0 ? 0 : 1;
}
