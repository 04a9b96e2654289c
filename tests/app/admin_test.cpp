#include "boshtap/app/admin_routes.hpp"
#include "boshtap/app/admin_server.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <regex>
#include <sstream>

using namespace boshtap;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;

namespace {

http::response<http::string_body> get(std::uint16_t port, const std::string& target,
                                      const std::string& auth = {},
                                      http::verb verb = http::verb::get)
{
    boost::asio::io_context io;
    tcp::socket socket(io);
    socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
    http::request<http::empty_body> req{verb, target, 11};
    req.set(http::field::host, "localhost");
    if (!auth.empty()) req.set(http::field::authorization, auth);
    http::write(socket, req);
    boost::beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    if (verb == http::verb::head) parser.skip(true);
    http::read(socket, buffer, parser);
    return parser.release();
}

} // namespace

TEST_CASE("bearer tokens compare exactly", "[admin]")
{
    CHECK(app::token_matches("Bearer 0123456789abcdef", "0123456789abcdef"));
    CHECK_FALSE(app::token_matches("Bearer 0123456789abcdeX", "0123456789abcdef"));
    CHECK_FALSE(app::token_matches("Bearer 0123456789abcdef0", "0123456789abcdef"));
    CHECK_FALSE(app::token_matches("Basic 0123456789abcdef", "0123456789abcdef"));
    CHECK_FALSE(app::token_matches("", "0123456789abcdef"));
}

TEST_CASE("the admin server routes, checks the token and refuses other methods", "[admin]")
{
    app::AdminServer server({"127.0.0.1", 0, std::string("0123456789abcdef")},
                            [](std::string_view path, std::string_view query) {
                                return app::AdminResponse{200, "text/plain",
                                                          std::string(path) + "?" +
                                                              std::string(query)};
                            });
    server.start();
    const auto port = server.port();

    CHECK(get(port, "/healthz").body() == "/healthz?"); // no token needed
    CHECK(get(port, "/metrics").result_int() == 401);
    CHECK(get(port, "/metrics", "Bearer wrong").result_int() == 401);
    const auto ok = get(port, "/rooms?x=1", "Bearer 0123456789abcdef");
    CHECK(ok.result_int() == 200);
    CHECK(ok.body() == "/rooms?x=1");
    CHECK(get(port, "/healthz", {}, http::verb::post).result_int() == 405);
    const auto head = get(port, "/healthz", {}, http::verb::head);
    CHECK(head.result_int() == 200);
    CHECK(head.body().empty());
    server.stop();
}

TEST_CASE("metrics are valid Prometheus text with the documented families", "[admin]")
{
    proxy::ServerStats server;
    app::AuditStats audit;
    server.requests_forwarded = 5;
    server.handler_exceptions = 1;
    server.latency.record(std::chrono::milliseconds(3));
    server.latency.record(std::chrono::seconds(61));
    audit.events[0] = 2;
    audit.leaves[static_cast<std::size_t>(core::LeaveReason::kicked)] = 1;
    const auto text = app::render_metrics(server, audit);

    CHECK(text.find("boshtap_requests_total 5\n") != std::string::npos);
    CHECK(text.find("boshtap_handler_exceptions_total 1\n") != std::string::npos);
    CHECK(text.find("boshtap_events_total{event=\"join\"} 2\n") != std::string::npos);
    CHECK(text.find("boshtap_events_total{event=\"leave\",reason=\"kicked\"} 1\n") !=
          std::string::npos);
    CHECK(text.find("boshtap_request_duration_seconds_bucket{le=\"0.005\"} 1\n") !=
          std::string::npos);
    CHECK(text.find("boshtap_request_duration_seconds_bucket{le=\"60\"} 1\n") !=
          std::string::npos);
    CHECK(text.find("boshtap_request_duration_seconds_bucket{le=\"90\"} 2\n") !=
          std::string::npos);
    CHECK(text.find("boshtap_request_duration_seconds_count 2\n") != std::string::npos);

    // Every line is a comment or `name{labels} value`; every family has HELP and TYPE.
    const std::regex sample(R"(^[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? [-+0-9.eEInfNa]+$)");
    std::istringstream lines(text);
    std::string line;
    int samples = 0;
    while (std::getline(lines, line)) {
        if (line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0) continue;
        INFO(line);
        CHECK(std::regex_match(line, sample));
        ++samples;
    }
    CHECK(samples > 40);
}

TEST_CASE("the shipped Grafana dashboard only uses metrics boshtap exports", "[admin]")
{
    std::ifstream in(BOSHTAP_SOURCE_DIR "/docs/grafana-dashboard.json");
    REQUIRE(in);
    const std::string dashboard((std::istreambuf_iterator<char>(in)),
                                std::istreambuf_iterator<char>());
    const auto metrics = app::render_metrics(proxy::ServerStats{}, app::AuditStats{});
    const std::regex name(R"(boshtap_[a-z_]+)");
    int used = 0;
    for (auto it = std::sregex_iterator(dashboard.begin(), dashboard.end(), name);
         it != std::sregex_iterator(); ++it) {
        auto metric = it->str();
        if (metric.ends_with("_bucket")) metric.resize(metric.size() - 7); // histogram series
        INFO(metric);
        CHECK(metrics.find("# TYPE " + metric + " ") != std::string::npos);
        ++used;
    }
    CHECK(used > 10);
}
