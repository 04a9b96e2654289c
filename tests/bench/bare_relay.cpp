// boshtap's relay with nothing behind it: the same proxy::Server (Beast, Asio, the upstream
// pool, the forwarded heads), given a Tap that drops every copy it is handed. No parsing, no
// tracking, no event lines, no auditor thread. The relay scripts run it in place of boshtap to
// measure what the relay stack alone costs against HAProxy, and so what share of boshtap's
// cost is the audit (docs/performance.md, run 15).
//
// Usage: bare_relay [boshtap's run options]. They are read by boshtap's own parser, so the
// server gets exactly the settings boshtap would; the options for the audit (--log-file,
// --log-level, ...) are accepted and have nothing to act on.
#include "boshtap/app/config.hpp"
#include "boshtap/proxy/server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <optional>
#include <string>
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

} // namespace

int main(int argc, char** argv)
{
    boshtap::app::Invocation invocation;
    try {
        invocation = boshtap::app::parse_command_line(argc, argv);
    } catch (const boshtap::app::ConfigError& e) {
        std::fprintf(stderr, "bare_relay: %s: %s\n", e.flag.c_str(), e.what());
        return 2;
    }
    if (invocation.command != boshtap::app::Command::run) {
        std::fprintf(stderr, "bare_relay: takes boshtap's run options only\n");
        return 2;
    }

    DropTap tap;
    std::optional<boshtap::proxy::Server> server;
    try {
        server.emplace(invocation.run.server, tap);
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
