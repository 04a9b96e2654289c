// Event latency: how long after the confirming response leaves boshtap its event line is in
// the event log file. Talks to boshtap directly (stub upstream), one BOSH session, then joins
// one fresh room after another: each join's response (the self-presence, status 110) makes
// boshtap log a `join`. A watcher thread blocks on inotify and stamps each line as it appears.
//
// latency = line seen - response received. Over loopback the response is received some tens
// of microseconds after it left, so this slightly underestimates; negative values mean the
// line was on disk before the client had the response (the relay hands its copy to the
// auditor before writing the response).
//
// Usage: event_latency --port P --log FILE [--joins N] [--gap-ms MS]
//   prints "joins N seen M p50_us A p99_us B max_us C rtt_p50_us D"
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <sys/inotify.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::string_view kMarker = "latency-"; // the MUC resource of every join: latency-<n>

// Follows the log file: on every inotify event reads the new bytes and stamps the lines that
// name a `latency-<n>` occupant.
class Watcher {
public:
    explicit Watcher(const std::string& path) : path_(path) {
        fd_ = inotify_init1(IN_CLOEXEC);
        inotify_add_watch(fd_, path.c_str(), IN_MODIFY);
        std::ifstream in(path, std::ios::binary | std::ios::ate);
        offset_ = static_cast<std::size_t>(in.tellg());
        thread_ = std::thread([this] { loop(); });
    }
    ~Watcher() {
        stop_ = true;
        thread_.join();
        close(fd_);
    }
    std::map<long, Clock::time_point> seen() {
        std::lock_guard lock(mutex_);
        return seen_;
    }

private:
    void loop() {
        char events[4096];
        while (!stop_) {
            pollfd p{fd_, POLLIN, 0};
            if (poll(&p, 1, 50) <= 0) continue;
            const auto now = Clock::now(); // the moment the write became visible
            if (read(fd_, events, sizeof events) <= 0) continue;
            scan(now);
        }
    }
    void scan(Clock::time_point now) {
        std::ifstream in(path_, std::ios::binary);
        in.seekg(static_cast<std::streamoff>(offset_));
        std::string chunk((std::istreambuf_iterator<char>(in)), {});
        const auto last_nl = chunk.rfind('\n');
        if (last_nl == std::string::npos) return;
        offset_ += last_nl + 1;
        std::lock_guard lock(mutex_);
        const std::string key = "\"occupant\":\"" + std::string(kMarker);
        for (auto pos = chunk.find(key); pos != std::string::npos && pos < last_nl;
             pos = chunk.find(key, pos + 1)) {
            const long n = std::strtol(chunk.c_str() + pos + key.size(), nullptr, 10);
            seen_.emplace(n, now); // first mention: the join line
        }
    }

    std::string path_;
    int fd_ = -1;
    std::size_t offset_ = 0;
    std::atomic<bool> stop_{false};
    std::mutex mutex_;
    std::map<long, Clock::time_point> seen_;
    std::thread thread_;
};

class Client {
public:
    Client(net::io_context& io, unsigned short port) : socket_(io) {
        socket_.connect({net::ip::make_address("127.0.0.1"), port});
        socket_.set_option(tcp::no_delay(true));
    }
    // POSTs `body`; the stub answers with `reply`. Returns when the whole response is read.
    void exchange(const std::string& body, const std::string& reply) {
        http::request<http::string_body> req{http::verb::post, "/http-bind", 11};
        req.set(http::field::host, "meet.jitsi");
        req.set(http::field::content_type, "text/xml; charset=utf-8");
        req.set("X-Stub-Reply", reply);
        req.body() = body;
        req.prepare_payload();
        http::write(socket_, req);
        http::response<http::string_body> res;
        http::read(socket_, buffer_, res);
        if (res.result_int() != 200) throw std::runtime_error("status " + std::to_string(res.result_int()));
    }

private:
    tcp::socket socket_;
    beast::flat_buffer buffer_;
};

long percentile(std::vector<long> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

} // namespace

int main(int argc, char** argv) {
    unsigned short port = 0;
    std::string log;
    long joins = 500, gap_ms = 10;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        if (a == "--port") port = static_cast<unsigned short>(std::stoi(argv[i + 1]));
        else if (a == "--log") log = argv[i + 1];
        else if (a == "--joins") joins = std::stol(argv[i + 1]);
        else if (a == "--gap-ms") gap_ms = std::stol(argv[i + 1]);
    }
    if (port == 0 || log.empty()) {
        std::fprintf(stderr, "usage: event_latency --port P --log FILE [--joins N] [--gap-ms MS]\n");
        return 2;
    }
    const std::string ns = "xmlns=\"http://jabber.org/protocol/httpbind\"";
    const std::string sid = "latency-session-" + std::to_string(::getpid());
    const std::string user = "bench@meet.jitsi/" + sid;
    net::io_context io;
    Client client(io, port);
    Watcher watcher(log);
    long rid = 7000000;
    client.exchange("<body rid=\"" + std::to_string(rid++) + "\" to=\"meet.jitsi\" wait=\"60\" hold=\"1\" " + ns + "/>",
                    "<body " + ns + " sid=\"" + sid + "\" wait=\"60\" inactivity=\"60\" requests=\"2\" hold=\"1\"/>");
    std::map<long, Clock::time_point> received;
    std::vector<long> rtt_us; // baseline: the exchange itself, client -> boshtap -> stub -> back
    for (long n = 0; n < joins; ++n) {
        const auto sent = Clock::now();
        // A fresh room per join and per process: every pass logs new joins.
        const std::string occupant = "room" + std::to_string(n) + "-" + std::to_string(::getpid()) +
                                     "@muc.meet.jitsi/" +
                                     std::string(kMarker) + std::to_string(n);
        const std::string nick = "<nick xmlns=\"http://jabber.org/protocol/nick\">Bench " +
                                 std::to_string(n) + "</nick>";
        client.exchange(
            "<body rid=\"" + std::to_string(rid++) + "\" sid=\"" + sid + "\" " + ns +
                "><presence to=\"" + occupant + "\" xmlns=\"jabber:client\">"
                "<x xmlns=\"http://jabber.org/protocol/muc\"/>" + nick + "</presence></body>",
            "<body " + ns + "><presence from=\"" + occupant + "\" to=\"" + user +
                "\" xmlns=\"jabber:client\"><x xmlns=\"http://jabber.org/protocol/muc#user\">"
                "<item affiliation=\"none\" role=\"participant\" jid=\"" + user +
                "\"/><status code=\"110\"/></x>" + nick + "</presence></body>");
        const auto got = Clock::now();
        received.emplace(n, got);
        rtt_us.push_back(std::chrono::duration_cast<std::chrono::microseconds>(got - sent).count());
        // Joins are spaced so each is measured alone, not behind a queue of the previous ones.
        std::this_thread::sleep_for(std::chrono::milliseconds(gap_ms));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    const auto seen = watcher.seen();
    std::vector<long> us;
    for (const auto& [n, t] : received)
        if (auto it = seen.find(n); it != seen.end())
            us.push_back(std::chrono::duration_cast<std::chrono::microseconds>(it->second - t).count());
    std::printf("joins %ld seen %zu p50_us %ld p99_us %ld max_us %ld rtt_p50_us %ld\n", joins,
                us.size(), percentile(us, 0.50), percentile(us, 0.99), percentile(us, 1.0),
                percentile(rtt_us, 0.50));
    return us.size() == static_cast<std::size_t>(joins) ? 0 : 1;
}
