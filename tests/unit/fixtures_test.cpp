// Every transcript in tests/fixtures replays to exactly its expected events (the contract).
#include "boshtap/core/replay.hpp"
#include "boshtap/core/transcript.hpp"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <sstream>

namespace {

std::string read_file(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    REQUIRE(in.good());
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::optional<std::string> opt_string(const boost::json::object& o, const char* key)
{
    const auto* v = o.if_contains(key);
    if (!v || v->is_null()) return std::nullopt;
    return std::string(v->as_string());
}

long long millis(const boost::json::value& v)
{
    return std::llround(v.to_number<double>() * 1000.0);
}

void check_fixture(const std::string& name)
{
    const std::string dir = BOSHTAP_FIXTURES_DIR;
    const auto events = boshtap::core::replay(
        boshtap::core::parse_transcript(read_file(dir + "/" + name + ".txt")));

    std::vector<boost::json::object> expected;
    std::istringstream lines(read_file(dir + "/" + name + ".expected.jsonl"));
    for (std::string line; std::getline(lines, line);) {
        if (!line.empty()) expected.push_back(boost::json::parse(line).as_object());
    }
    REQUIRE(!expected.empty());
    REQUIRE(events.size() == expected.size());
    for (std::size_t i = 0; i < events.size(); ++i) {
        INFO(name << " event #" << i);
        const auto& e = events[i];
        const auto& x = expected[i];
        CHECK(boshtap::core::to_string(e.kind) == std::string_view(x.at("event").as_string()));
        CHECK(e.room == std::string_view(x.at("room").as_string()));
        CHECK(e.occupant == std::string_view(x.at("occupant").as_string()));
        CHECK(e.nick == opt_string(x, "nick"));
        if (x.contains("old_nick")) CHECK(e.old_nick == opt_string(x, "old_nick"));
        if (x.contains("source"))
            CHECK(boshtap::core::to_string(e.source) ==
                  std::string_view(x.at("source").as_string()));
        if (x.contains("reason"))
            CHECK(boshtap::core::to_string(e.reason) ==
                  std::string_view(x.at("reason").as_string()));
        const auto ts = e.ts.time_since_epoch().count();
        if (const auto* t_max = x.if_contains("t_max"))
            CHECK(ts <= millis(*t_max));
        else
            CHECK(ts == millis(x.at("t")));
    }
}

} // namespace

TEST_CASE("fixture transcripts replay to their expected events", "[fixtures]")
{
    const auto name = GENERATE(as<std::string>{}, "bosh-01-anon-full-lifecycle",
                               "bosh-02-nameless-join-retransmit-reorder",
                               "bosh-04-lobby-breakout-kick-destroy",
                               "bosh-05-observed-rename-dead-observer",
                               "ws-01-websocket-lifecycle");
    SECTION(name)
    {
        check_fixture(name);
    }
}
