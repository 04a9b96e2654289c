#include "boshtap/sinks/event_format.hpp"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

using namespace boshtap;
using sinks::ClientIpMode;

namespace {

core::Event sample()
{
    core::Event e;
    e.kind = core::EventKind::join;
    e.room = "r@muc.meet.jitsi";
    e.occupant = "3f2a9c1e";
    e.nick = "Alice";
    e.jid = "3f2a9c1e-8b7d@meet.jitsi/Kp2x";
    e.conn.id = "sid-1";
    e.conn.client_ip = "203.0.113.24";
    e.conn.user_agent = "Mozilla/5.0";
    return e;
}

boost::json::object parsed(const sinks::EventFormat& f)
{
    return boost::json::parse(f.line(sample())).as_object();
}

} // namespace

TEST_CASE("addresses are truncated to /24 and /48", "[privacy]")
{
    CHECK(sinks::truncate_ip("203.0.113.24") == "203.0.113.0");
    CHECK(sinks::truncate_ip("2001:db8:1:2::5") == "2001:db8:1::");
    CHECK(sinks::truncate_ip("::1") == "::");
    CHECK(sinks::truncate_ip("not an address") == "");
    CHECK(sinks::truncate_ip("") == "");
}

TEST_CASE("hashed addresses are keyed and stable", "[privacy]")
{
    const auto a = sinks::hash_ip("203.0.113.24", "0123456789abcdef");
    CHECK(a.size() == 16);
    CHECK(a == sinks::hash_ip("203.0.113.24", "0123456789abcdef"));
    CHECK(a != sinks::hash_ip("203.0.113.25", "0123456789abcdef"));
    CHECK(a != sinks::hash_ip("203.0.113.24", "another key 16 bytes"));
    CHECK(a.find("203") == std::string::npos);
}

TEST_CASE("the log line follows the privacy options", "[privacy]")
{
    CHECK(parsed(sinks::EventFormat{}).at("client_ip") == "203.0.113.24");
    CHECK(parsed(sinks::EventFormat{{ClientIpMode::truncate, "", sinks::optional_fields()}})
              .at("client_ip") == "203.0.113.0");
    CHECK(parsed(sinks::EventFormat{{ClientIpMode::hash, "0123456789abcdef",
                                     sinks::optional_fields()}})
              .at("client_ip") == boost::json::value(sinks::hash_ip("203.0.113.24", "0123456789abcdef")));
    CHECK_FALSE(parsed(sinks::EventFormat{{ClientIpMode::off, "", sinks::optional_fields()}})
                    .contains("client_ip"));
    const auto slim = parsed(sinks::EventFormat{
        {ClientIpMode::full, "", sinks::parse_log_fields("-user_agent,-jid")}});
    CHECK_FALSE(slim.contains("user_agent"));
    CHECK_FALSE(slim.contains("jid"));
    CHECK(slim.contains("conn"));
    CHECK(slim.at("nick") == "Alice"); // contract fields always stay
    CHECK_THROWS_AS(sinks::EventFormat({ClientIpMode::hash, "short", {}}), std::invalid_argument);
}

TEST_CASE("log field lists", "[privacy]")
{
    CHECK(sinks::parse_log_fields("jid,conn") == std::set<std::string>{"jid", "conn"});
    CHECK(sinks::parse_log_fields("-user_agent") ==
          std::set<std::string>{"jid", "client_ip", "conn"});
    CHECK(sinks::parse_log_fields("") == sinks::optional_fields());
    CHECK_THROWS_AS(sinks::parse_log_fields("nick"), std::invalid_argument);
    CHECK_THROWS_AS(sinks::parse_log_fields("jid,-conn"), std::invalid_argument);
    CHECK(sinks::parse_client_ip_mode("truncate") == ClientIpMode::truncate);
    CHECK_THROWS_AS(sinks::parse_client_ip_mode("partial"), std::invalid_argument);
}
