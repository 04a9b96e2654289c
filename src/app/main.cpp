// boshtap: reverse proxy that audits Jitsi Meet's XMPP traffic. See --help.
#include "boshtap/app/commands.hpp"
#include "boshtap/app/config.hpp"
#include "boshtap/app/report/report_command.hpp"

#include <fmt/format.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

int main(int argc, char* argv[])
{
    // Diagnostics go to stderr, never into the event log.
    auto diagnostics = spdlog::stderr_logger_mt("boshtap");
    diagnostics->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
    spdlog::set_default_logger(diagnostics);

    using namespace boshtap::app;
    Invocation inv;
    try {
        inv = parse_command_line(argc, argv);
    } catch (const ConfigError& e) {
        fmt::print(stderr, "boshtap: {}: {}\n", e.flag, e.what());
        return 2;
    }
    switch (inv.command) {
    case Command::help:
        fmt::print("{}", inv.help_text);
        return 0;
    case Command::version:
        fmt::print("boshtap {}\n", BOSHTAP_VERSION);
        return 0;
    case Command::replay:
        return run_replay(inv.replay_files);
    case Command::report:
        return run_report(argc - 1, argv + 1);
    case Command::run:
        break;
    }
    return run_proxy(inv.run);
}
