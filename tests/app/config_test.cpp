#include "boshtap/app/config.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <vector>

using namespace boshtap::app;

namespace {

Invocation parse(std::vector<const char*> args)
{
    args.insert(args.begin(), "boshtap");
    return parse_command_line(static_cast<int>(args.size()), args.data());
}

std::string failing_flag(std::vector<const char*> args)
{
    try {
        parse(std::move(args));
    } catch (const ConfigError& e) {
        return e.flag;
    }
    return "(no error)";
}

} // namespace

TEST_CASE("sizes take binary units", "[config]")
{
    CHECK(parse_size("1048576") == 1048576);
    CHECK(parse_size("64KiB") == 64 * 1024);
    CHECK(parse_size("100MiB") == 100u << 20);
    CHECK(parse_size("1g") == 1u << 30);
    CHECK_THROWS_AS(parse_size("ten"), std::invalid_argument);
    CHECK_THROWS_AS(parse_size("10 parsecs"), std::invalid_argument);
    CHECK_THROWS_AS(parse_size("0"), std::invalid_argument);
}

TEST_CASE("listen addresses", "[config]")
{
    CHECK(parse_listen("127.0.0.1:5280") == std::pair<std::string, std::uint16_t>{"127.0.0.1", 5280});
    CHECK(parse_listen("[::1]:80") == std::pair<std::string, std::uint16_t>{"::1", 80});
    CHECK(parse_listen(":0") == std::pair<std::string, std::uint16_t>{"0.0.0.0", 0});
    CHECK_THROWS_AS(parse_listen("localhost"), std::invalid_argument);
    CHECK_THROWS_AS(parse_listen("127.0.0.1:65536"), std::invalid_argument);
    CHECK_THROWS_AS(parse_listen("127.0.0.1:http"), std::invalid_argument);
}

TEST_CASE("a full command line", "[config]")
{
    const auto inv = parse({"--listen", "127.0.0.1:6000", "--upstream",
                            "http://openfire:7070/http-bind/", "--ws-upstream",
                            "ws://openfire:7070/ws/", "--log-file", "/tmp/x/events.jsonl",
                            "--log-max-size", "10MiB", "--log-max-files", "3", "--trusted-proxy",
                            "10.0.0.0/8", "--trusted-proxy", "::1/128", "--threads", "2"});
    REQUIRE(inv.command == Command::run);
    const auto& c = inv.run;
    CHECK(c.server.listen_port == 6000);
    CHECK(c.server.upstream.host == "openfire");
    CHECK(c.server.upstream.port == 7070);
    CHECK(c.server.upstream.path == "/http-bind/");
    REQUIRE(c.server.ws_upstream);
    CHECK(c.server.ws_upstream->path == "/ws/");
    CHECK(c.event_log.path == "/tmp/x/events.jsonl");
    CHECK(c.event_log.max_size == 10u << 20);
    CHECK(c.event_log.max_files == 3);
    CHECK(c.server.trusted_proxies == std::vector<std::string>{"10.0.0.0/8", "::1/128"});
    CHECK(c.server.threads == 2);
    CHECK(c.tracker.ignored_resources == std::vector<std::string>{"focus"});
}

TEST_CASE("errors name the flag", "[config]")
{
    CHECK(failing_flag({"--log-file", "x"}) == "--upstream");
    CHECK(failing_flag({"--upstream", "ftp://x/"}) == "--upstream");
    CHECK(failing_flag({"--upstream", "http://x/", "--listen", "nowhere"}) == "--listen");
    CHECK(failing_flag({"--upstream", "http://x/", "--body-limit", "lots"}) == "--body-limit");
    CHECK(failing_flag({"--upstream", "http://x/", "--upstream-timeout", "5"}) ==
          "--upstream-timeout");
    CHECK(failing_flag({"--upstream", "http://x/", "--log-level", "loud"}) == "--log-level");
    CHECK(failing_flag({"--upstream", "http://x/", "--no-such-flag"}) != "(no error)");
}

TEST_CASE("the environment fills what the command line leaves out", "[config]")
{
    ::setenv("BOSHTAP_UPSTREAM", "http://prosody:5280/http-bind", 1);
    ::setenv("BOSHTAP_LOG_MAX_FILES", "7", 1);
    ::setenv("BOSHTAP_LISTEN", "127.0.0.1:7000", 1);
    const auto inv = parse({"--listen", "127.0.0.1:7001"});
    ::unsetenv("BOSHTAP_UPSTREAM");
    ::unsetenv("BOSHTAP_LOG_MAX_FILES");
    ::unsetenv("BOSHTAP_LISTEN");
    CHECK(inv.run.server.upstream.host == "prosody");
    CHECK(inv.run.event_log.max_files == 7);
    CHECK(inv.run.server.listen_port == 7001); // the command line wins
}

TEST_CASE("help, version and replay", "[config]")
{
    const auto help = parse({"--help"});
    CHECK(help.command == Command::help);
    CHECK(help.help_text.find("--ws-upstream") != std::string::npos);
    CHECK(help.help_text.find("BOSHTAP_") != std::string::npos);
    CHECK(parse({"--version"}).command == Command::version);
    const auto replay = parse({"replay", "a.txt", "b.txt"});
    CHECK(replay.command == Command::replay);
    CHECK(replay.replay_files == std::vector<std::string>{"a.txt", "b.txt"});
    CHECK(failing_flag({"replay"}) == "replay");
}
