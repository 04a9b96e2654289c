// boshtap's relay with nothing behind it: the same proxy::Server (Beast, Asio, the upstream
// pool, the forwarded heads), given a Tap that drops every copy it is handed. No parsing, no
// tracking, no event lines, no auditor thread. The relay scripts run it in place of boshtap to
// measure what the relay stack alone costs against HAProxy, and so what share of boshtap's
// cost is the audit (docs/performance.md, run 15).
//
// Usage: bare_relay --listen HOST:PORT --upstream URL [--threads N]
// It takes boshtap's --log-file and --log-level too, and ignores them, so that the scripts can
// start either binary with the same arguments.
#include "boshtap/proxy/server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

namespace {

class DropTap final : public boshtap::proxy::Tap {
public:
    void http_request(std::uint64_t, boshtap::proxy::ClientMeta, std::string) override {}
    void http_response(std::uint64_t, unsigned, std::string, std::string) override {}
    void http_failed(std::uint64_t) override {}
    void ws_open(std::uint64_t, const boshtap::proxy::ClientMeta&) override {}
    void ws_message(std::uint64_t, bool, std::string) override {}
    void ws_closed(std::uint64_t) override {}
};

int usage(const char* why)
{
    std::fprintf(stderr, "bare_relay: %s\nusage: bare_relay --listen HOST:PORT --upstream URL "
                         "[--threads N]\n", why);
    return 2;
}

template <class T>
bool number(std::string_view text, T& out)
{
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size();
}

} // namespace

int main(int argc, char** argv)
{
    boshtap::proxy::ServerConfig config;
    bool listen = false, upstream = false;
    for (int i = 1; i < argc; ++i) {
        const std::string_view flag = argv[i];
        if (i + 1 >= argc) return usage("every option takes a value");
        const std::string_view value = argv[++i];
        if (flag == "--listen") {
            const auto colon = value.rfind(':');
            if (colon == std::string_view::npos || !number(value.substr(colon + 1), config.listen_port))
                return usage("--listen wants HOST:PORT");
            config.listen_address = std::string(value.substr(0, colon));
            listen = true;
        } else if (flag == "--upstream") {
            try {
                config.upstream = boshtap::proxy::parse_upstream_url(std::string(value), false);
            } catch (const std::exception& e) {
                return usage(e.what());
            }
            upstream = true;
        } else if (flag == "--threads") {
            if (!number(value, config.threads) || config.threads == 0)
                return usage("--threads wants a positive number");
        } else if (flag != "--log-file" && flag != "--log-level") {
            return usage("unknown option");
        }
    }
    if (!listen || !upstream) return usage("--listen and --upstream are required");

    DropTap tap;
    std::optional<boshtap::proxy::Server> server;
    try {
        server.emplace(config, tap);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bare_relay: --listen: %s\n", e.what());
        return 1;
    }
    // TERM or INT stops it as they stop boshtap: a short drain, then run() returns.
    boost::asio::io_context signals_io;
    boost::asio::signal_set signals(signals_io, SIGTERM, SIGINT);
    signals.async_wait([&](const boost::system::error_code& ec, int) {
        if (!ec) server->stop(std::chrono::milliseconds(500));
    });
    std::thread signal_thread([&] { signals_io.run(); });
    server->run();
    signals_io.stop();
    signal_thread.join();
    return 0;
}
