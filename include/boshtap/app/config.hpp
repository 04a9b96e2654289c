#pragma once
// Command line and environment: every flag `--foo-bar` can also be set as BOSHTAP_FOO_BAR
// (the Docker image and the systemd unit use that). The command line wins.
#include "boshtap/core/options.hpp"
#include "boshtap/proxy/server.hpp"
#include "boshtap/sinks/event_format.hpp"
#include "boshtap/sinks/event_log.hpp"

#include <chrono>
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace boshtap::app {

// A configuration error: `flag` names the offending option; exit code 2.
struct ConfigError : std::runtime_error {
    ConfigError(std::string flag, const std::string& message)
        : std::runtime_error(message), flag(std::move(flag)) {}
    std::string flag;
};

struct RunConfig {
    proxy::ServerConfig server;
    sinks::EventLogOptions event_log;
    sinks::PrivacyOptions privacy;
    core::TrackerOptions tracker;
    core::BoshOptions bosh;
    core::WsOptions ws;
    std::chrono::seconds drain_timeout{10};
    std::size_t queue_limit = std::size_t{64} << 20; // auditor backlog, bytes
    std::string log_level = "info";
    // Admin endpoint: none unless --admin-listen is given.
    std::optional<std::pair<std::string, std::uint16_t>> admin_listen;
    std::optional<std::string> admin_token;
};

enum class Command { run, replay, report, help, version };

struct Invocation {
    Command command = Command::run;
    RunConfig run;
    std::vector<std::string> replay_files;
    std::string help_text;
};

// Parses argv (and the environment for `run`). Throws ConfigError.
Invocation parse_command_line(int argc, const char* const argv[]);

// "100MiB", "64k", "1048576" -> bytes. Throws std::invalid_argument.
std::size_t parse_size(const std::string&);

// "127.0.0.1:5280", "[::1]:5280", ":5280" -> address and port. Throws std::invalid_argument.
std::pair<std::string, std::uint16_t> parse_listen(const std::string&);

} // namespace boshtap::app
