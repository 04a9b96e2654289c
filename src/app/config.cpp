#include "boshtap/app/config.hpp"

#include <boost/program_options.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iterator>
#include <sstream>
#include <thread>

namespace po = boost::program_options;

namespace boshtap::app {

std::size_t parse_size(const std::string& text)
{
    std::size_t pos = 0;
    unsigned long long value = 0;
    try {
        value = std::stoull(text, &pos);
    } catch (const std::exception&) {
        throw std::invalid_argument("'" + text + "' is not a size (examples: 1048576, 64KiB, 100MiB)");
    }
    std::string unit = text.substr(pos);
    std::transform(unit.begin(), unit.end(), unit.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    unsigned shift = 0;
    if (unit.empty() || unit == "b") shift = 0;
    else if (unit == "k" || unit == "kb" || unit == "kib") shift = 10;
    else if (unit == "m" || unit == "mb" || unit == "mib") shift = 20;
    else if (unit == "g" || unit == "gb" || unit == "gib") shift = 30;
    else throw std::invalid_argument("'" + text + "': unknown unit (use KiB, MiB or GiB)");
    if (value == 0) throw std::invalid_argument("'" + text + "': must be greater than 0");
    if (value > (~0ULL >> shift)) throw std::invalid_argument("'" + text + "': too large");
    return static_cast<std::size_t>(value << shift);
}

std::pair<std::string, std::uint16_t> parse_listen(const std::string& text)
{
    const auto colon = text.rfind(':');
    if (colon == std::string::npos)
        throw std::invalid_argument("'" + text + "' is not HOST:PORT");
    std::string host = text.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    if (host.empty()) host = "0.0.0.0";
    const std::string port_text = text.substr(colon + 1);
    if (port_text.empty() || port_text.size() > 5 ||
        !std::all_of(port_text.begin(), port_text.end(),
                     [](unsigned char c) { return std::isdigit(c); }))
        throw std::invalid_argument("'" + text + "': the port must be a number from 0 to 65535");
    const unsigned long port = std::stoul(port_text);
    if (port > 65535)
        throw std::invalid_argument("'" + text + "': the port must be a number from 0 to 65535");
    return {host, static_cast<std::uint16_t>(port)};
}

namespace {

constexpr const char* usage_head =
    "boshtap — reverse proxy that audits Jitsi Meet's XMPP traffic (BOSH and WebSocket)\n"
    "\n"
    "Usage:\n"
    "  boshtap --upstream URL [--ws-upstream URL] --log-file FILE [options]\n"
    "  boshtap replay FILE...   run wire transcripts through the detector, print events\n"
    "  boshtap report [--format table|csv|json] [--room R] [--since T] [--until T] FILE...\n"
    "                           meetings and attendance from event logs (report --help)\n"
    "  boshtap --help | --version\n"
    "\n"
    "boshtap forwards every request and response unchanged and appends one JSON line per\n"
    "join, display-name change and leave to the event log. Every option can also be set in\n"
    "the environment as BOSHTAP_<OPTION> (e.g. BOSHTAP_UPSTREAM, BOSHTAP_LOG_FILE); the\n"
    "command line wins. Sizes take KiB/MiB/GiB, durations are seconds.\n";

po::options_description make_options()
{
    po::options_description o("Options");
    // clang-format off
    o.add_options()
        ("help,h", "print this help and exit")
        ("version", "print the version and exit")
        ("listen", po::value<std::string>()->default_value("127.0.0.1:5280"),
            "HOST:PORT to accept nginx's connections on")
        ("upstream", po::value<std::string>(),
            "BOSH endpoint of the XMPP server, e.g. http://openfire:7070/http-bind/ (required)")
        ("ws-upstream", po::value<std::string>(),
            "WebSocket endpoint, e.g. ws://openfire:7070/ws/ (Prosody, ejabberd: "
            "/xmpp-websocket); without it WebSocket upgrades get 502")
        ("bosh-path", po::value<std::string>()->default_value("/http-bind"),
            "path nginx forwards BOSH requests on")
        ("ws-path", po::value<std::string>()->default_value("/xmpp-websocket"),
            "path nginx forwards WebSocket upgrades (and Jitsi's keep-alive GET) on")
        ("log-file", po::value<std::string>()->default_value("/var/log/boshtap/events.jsonl"),
            "the event log (JSON Lines, mode 0640, reopened on SIGHUP)")
        ("log-max-size", po::value<std::string>()->default_value("100MiB"),
            "rotate the event log at this size")
        ("log-max-files", po::value<std::size_t>()->default_value(10),
            "rotated event log files to keep (events.1.jsonl, ...)")
        ("body-limit", po::value<std::string>()->default_value("1MiB"),
            "largest request or response body; larger requests get 413")
        ("ws-max-message", po::value<std::string>()->default_value("1MiB"),
            "largest WebSocket message; larger ones close the connection with 1009")
        ("upstream-timeout", po::value<unsigned>()->default_value(180),
            "seconds to wait for an upstream response; must exceed BOSH wait (60-120 s)")
        ("client-timeout", po::value<unsigned>()->default_value(300),
            "seconds an idle keep-alive connection from nginx is kept")
        ("threads", po::value<unsigned>()->default_value(0),
            "I/O threads (0: one per hardware thread)")
        ("trusted-proxy", po::value<std::vector<std::string>>()->multitoken()->composing(),
            "CIDR whose X-Forwarded-For is believed (repeatable; default 127.0.0.1/32 ::1/128)")
        ("bosh-silence-margin", po::value<unsigned>()->default_value(30),
            "a BOSH session silent for inactivity + wait + this many seconds has left (timeout)")
        ("ws-resume-window", po::value<unsigned>()->default_value(90),
            "seconds a dropped WebSocket may be resumed (XEP-0198) before its occupants leave")
        ("ignore-resource", po::value<std::vector<std::string>>()->multitoken()->composing(),
            "MUC resource (and real-JID local part) not to log (repeatable; default focus)")
        ("drain-timeout", po::value<unsigned>()->default_value(10),
            "on SIGTERM, seconds requests in flight may take to finish")
        ("queue-limit", po::value<std::string>()->default_value("64MiB"),
            "traffic copies waiting for the auditor; beyond it copies are dropped and counted")
        ("client-ip", po::value<std::string>()->default_value("full"),
            "client addresses in the log: full, truncate (/24, /48), hash (keyed, needs "
            "--client-ip-key-file) or off")
        ("client-ip-key-file", po::value<std::string>(),
            "file holding the secret key for --client-ip hash (at least 16 bytes)")
        ("log-fields", po::value<std::string>()->default_value("jid,client_ip,user_agent,conn"),
            "optional fields to write (jid, client_ip, user_agent, conn), or -field,... to drop")
        ("admin-listen", po::value<std::string>(),
            "HOST:PORT of the admin endpoint (/healthz, /metrics, /rooms); off unless given, "
            "keep it on loopback")
        ("admin-token-file", po::value<std::string>(),
            "file holding a bearer token required for /metrics and /rooms")
        ("log-level", po::value<std::string>()->default_value("info"),
            "diagnostics on stderr: trace, debug, info, warn, error, off");
    // clang-format on
    return o;
}

std::string help_text(const po::options_description& o)
{
    std::ostringstream out;
    out << usage_head << '\n' << o;
    return out.str();
}

// A secret kept in a file (never on the command line, where `ps` shows it); one trailing
// newline is not part of it.
std::string read_secret(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::invalid_argument("cannot read " + path);
    std::string secret((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
    return secret;
}

template <class F> auto flag(const char* name, F&& f) -> decltype(f())
{
    try {
        return f();
    } catch (const ConfigError&) {
        throw;
    } catch (const std::exception& e) {
        throw ConfigError(std::string("--") + name, e.what());
    }
}

RunConfig to_run_config(const po::variables_map& vm)
{
    RunConfig c;
    auto& s = c.server;
    if (!vm.count("upstream"))
        throw ConfigError("--upstream", "is required (the XMPP server's BOSH URL)");
    s.upstream = flag("upstream", [&] {
        return proxy::parse_upstream_url(vm["upstream"].as<std::string>(), false);
    });
    if (vm.count("ws-upstream"))
        s.ws_upstream = flag("ws-upstream", [&] {
            return proxy::parse_upstream_url(vm["ws-upstream"].as<std::string>(), true);
        });
    std::tie(s.listen_address, s.listen_port) =
        flag("listen", [&] { return parse_listen(vm["listen"].as<std::string>()); });
    auto path = [&](const char* name) {
        return flag(name, [&] {
            auto p = vm[name].as<std::string>();
            if (p.empty() || p.front() != '/') throw std::invalid_argument("must start with '/'");
            return p;
        });
    };
    s.bosh_path = path("bosh-path");
    s.ws_path = path("ws-path");
    if (s.bosh_path == s.ws_path)
        throw ConfigError("--ws-path", "must differ from --bosh-path");
    s.body_limit = flag("body-limit", [&] { return parse_size(vm["body-limit"].as<std::string>()); });
    s.ws_max_message =
        flag("ws-max-message", [&] { return parse_size(vm["ws-max-message"].as<std::string>()); });
    s.upstream_timeout = std::chrono::seconds(vm["upstream-timeout"].as<unsigned>());
    if (s.upstream_timeout < std::chrono::seconds(30))
        throw ConfigError("--upstream-timeout",
                          "must be at least 30 s: BOSH holds requests for up to `wait` seconds");
    s.client_idle_timeout = std::chrono::seconds(vm["client-timeout"].as<unsigned>());
    if (s.client_idle_timeout.count() == 0)
        throw ConfigError("--client-timeout", "must be greater than 0");
    s.threads = vm["threads"].as<unsigned>();
    if (s.threads == 0) s.threads = std::max(1u, std::thread::hardware_concurrency());
    if (vm.count("trusted-proxy"))
        s.trusted_proxies = vm["trusted-proxy"].as<std::vector<std::string>>();

    c.event_log.path = vm["log-file"].as<std::string>();
    if (c.event_log.path.empty()) throw ConfigError("--log-file", "must not be empty");
    c.event_log.max_size =
        flag("log-max-size", [&] { return parse_size(vm["log-max-size"].as<std::string>()); });
    c.event_log.max_files = vm["log-max-files"].as<std::size_t>();
    if (c.event_log.max_files > 1000)
        throw ConfigError("--log-max-files", "must be at most 1000");

    c.privacy.client_ip = flag("client-ip", [&] {
        return sinks::parse_client_ip_mode(vm["client-ip"].as<std::string>());
    });
    c.privacy.fields =
        flag("log-fields", [&] { return sinks::parse_log_fields(vm["log-fields"].as<std::string>()); });
    if (c.privacy.client_ip == sinks::ClientIpMode::hash) {
        if (!vm.count("client-ip-key-file"))
            throw ConfigError("--client-ip-key-file", "is required with --client-ip hash");
        c.privacy.hash_key = flag("client-ip-key-file", [&] {
            const auto key = read_secret(vm["client-ip-key-file"].as<std::string>());
            if (key.size() < 16) throw std::invalid_argument("the key must be at least 16 bytes");
            return key;
        });
    }
    if (vm.count("admin-listen"))
        c.admin_listen =
            flag("admin-listen", [&] { return parse_listen(vm["admin-listen"].as<std::string>()); });
    if (vm.count("admin-token-file")) {
        c.admin_token = flag("admin-token-file", [&] {
            const auto token = read_secret(vm["admin-token-file"].as<std::string>());
            if (token.size() < 16) throw std::invalid_argument("the token must be at least 16 bytes");
            return token;
        });
    }
    c.bosh.silence_margin = std::chrono::seconds(vm["bosh-silence-margin"].as<unsigned>());
    c.ws.resume_window = std::chrono::seconds(vm["ws-resume-window"].as<unsigned>());
    if (vm.count("ignore-resource")) {
        c.tracker.ignored_resources = vm["ignore-resource"].as<std::vector<std::string>>();
        c.tracker.ignored_jid_locals = c.tracker.ignored_resources;
    }
    c.drain_timeout = std::chrono::seconds(vm["drain-timeout"].as<unsigned>());
    c.queue_limit = flag("queue-limit", [&] { return parse_size(vm["queue-limit"].as<std::string>()); });
    c.log_level = vm["log-level"].as<std::string>();
    static const char* levels[] = {"trace", "debug", "info", "warn", "error", "off"};
    if (std::find(std::begin(levels), std::end(levels), c.log_level) == std::end(levels))
        throw ConfigError("--log-level", "must be one of trace, debug, info, warn, error, off");
    return c;
}

} // namespace

Invocation parse_command_line(int argc, const char* const argv[])
{
    Invocation inv;
    const auto options = make_options();
    inv.help_text = help_text(options);

    // `report` parses its own flags (src/app/report/report_options.cpp).
    if (argc >= 2 && std::string_view(argv[1]) == "report") {
        inv.command = Command::report;
        return inv;
    }
    if (argc >= 2 && std::string_view(argv[1]) == "replay") {
        inv.command = Command::replay;
        for (int i = 2; i < argc; ++i) {
            const std::string_view a = argv[i];
            if (a == "--help" || a == "-h") {
                inv.command = Command::help;
                return inv;
            }
            inv.replay_files.emplace_back(a);
        }
        if (inv.replay_files.empty())
            throw ConfigError("replay", "needs at least one transcript file");
        return inv;
    }

    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(options).run(), vm);
        // BOSHTAP_LOG_FILE -> log-file; unknown BOSHTAP_* variables are ignored.
        po::store(po::parse_environment(options,
                                        [&options](const std::string& env) -> std::string {
                                            const std::string prefix = "BOSHTAP_";
                                            if (env.rfind(prefix, 0) != 0) return {};
                                            std::string name = env.substr(prefix.size());
                                            for (auto& ch : name)
                                                ch = ch == '_' ? '-'
                                                               : static_cast<char>(std::tolower(
                                                                     static_cast<unsigned char>(ch)));
                                            if (name == "help" || name == "version") return {};
                                            return options.find_nothrow(name, false) ? name
                                                                                     : std::string{};
                                        }),
                  vm);
        po::notify(vm);
    } catch (const po::error_with_option_name& e) {
        throw ConfigError(e.get_option_name(), e.what());
    } catch (const po::error& e) {
        throw ConfigError("command line", e.what());
    }
    if (vm.count("help")) {
        inv.command = Command::help;
        return inv;
    }
    if (vm.count("version")) {
        inv.command = Command::version;
        return inv;
    }
    inv.run = to_run_config(vm);
    return inv;
}

} // namespace boshtap::app
