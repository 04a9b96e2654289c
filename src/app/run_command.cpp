#include "boshtap/app/commands.hpp"

#include "boshtap/app/admin_routes.hpp"
#include "boshtap/app/admin_server.hpp"
#include "boshtap/app/auditor.hpp"
#include "boshtap/proxy/server.hpp"
#include "boshtap/sinks/diagnostics.hpp"
#include "boshtap/sinks/event_log.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <functional>
#include <memory>
#include <optional>
#include <system_error>

namespace boshtap::app {

namespace {

int config_error(std::string_view flag, std::string_view message)
{
    fmt::print(stderr, "boshtap: {}: {}\n", flag, message);
    return 2;
}

} // namespace

int run_proxy(const RunConfig& config)
{
    spdlog::set_level(spdlog::level::from_str(config.log_level));

    std::optional<sinks::EventLog> log;
    try {
        log.emplace(config.event_log);
    } catch (const std::exception& e) {
        return config_error("--log-file", e.what());
    }
    sinks::Diagnostics diagnostics;
    Auditor auditor(config, *log, diagnostics);

    std::optional<proxy::Server> server;
    try {
        server.emplace(config.server, auditor);
    } catch (const std::system_error& e) {
        return config_error("--listen", fmt::format("{}:{}: {}", config.server.listen_address,
                                                    config.server.listen_port, e.what()));
    }

    auditor.start();

    std::optional<AdminServer> admin;
    std::optional<UpstreamProbe> probe;
    if (config.admin_listen) {
        try {
            admin.emplace(AdminOptions{config.admin_listen->first, config.admin_listen->second,
                                       config.admin_token},
                          AdminHandler{});
        } catch (const std::system_error& e) {
            auditor.finish();
            return config_error("--admin-listen",
                                fmt::format("{}:{}: {}", config.admin_listen->first,
                                            config.admin_listen->second, e.what()));
        }
        probe.emplace(admin->context(), config.server.upstream);
        admin->set_handler(make_admin_handler(server->stats(), auditor, *probe));
        probe->start();
        admin->start();
        spdlog::info("admin endpoint on {}:{}", config.admin_listen->first, admin->port());
    }

    // Signals are handled on the auditor's thread: SIGHUP reopens the log there, where all
    // writes happen, so no lock is needed.
    boost::asio::signal_set signals(auditor.context(), SIGHUP, SIGTERM, SIGINT);
    std::function<void(const boost::system::error_code&, int)> on_signal =
        [&](const boost::system::error_code& ec, int signo) {
            if (ec) return;
            if (signo == SIGHUP) {
                auditor.reopen_log();
                signals.async_wait(on_signal);
                return;
            }
            spdlog::info("signal {}: draining for up to {} s", signo, config.drain_timeout.count());
            server->stop(config.drain_timeout);
        };
    signals.async_wait(on_signal);

    const auto& s = config.server;
    spdlog::info("boshtap {} listening on {}:{}; BOSH {} -> http://{}:{}{}{}; events -> {}",
                 BOSHTAP_VERSION, s.listen_address, server->port(), s.bosh_path, s.upstream.host,
                 s.upstream.port, s.upstream.path,
                 s.ws_upstream ? fmt::format("; WebSocket {} -> ws://{}:{}{}", s.ws_path,
                                             s.ws_upstream->host, s.ws_upstream->port,
                                             s.ws_upstream->path)
                               : std::string(),
                 config.event_log.path);

    server->run();
    if (admin) admin->stop();

    boost::asio::post(auditor.context(), [&] { signals.cancel(); });
    auditor.finish();
    spdlog::info("stopped: {} events written, {} dropped", log->stats().written,
                 log->stats().dropped);
    return 0;
}

} // namespace boshtap::app
