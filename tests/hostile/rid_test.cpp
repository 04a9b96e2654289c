// Request ids at the edges: wrap-around, absurd values, a forged far-future rid.
#include "hostile_support.hpp"

#include <limits>

using namespace boshtap;
using namespace boshtap::hostile;

namespace {

constexpr auto u64_max = std::numeric_limits<std::uint64_t>::max();

core::TapIssue send(BoshSession &s, std::string_view body, unsigned status,
                    std::string_view answer = {}) {
    const auto id = s.next_id++;
    const auto issue = s.tap.on_request(id, BoshSession::meta(), body, at(++s.clock), s.out);
    if (status)
        s.tap.on_response(id, status, answer, at(++s.clock), s.out);
    return issue;
}

} // namespace

TEST_CASE("Non-numeric, negative and overlong rids are not BOSH requests", "[hostile][rid]") {
    BoshSession s;
    for (const std::string rid : {"-1", "1e3", "0x10", "", " 5", "18446744073709551616",
                                  "99999999999999999999999999999999"}) {
        INFO(rid);
        CHECK(send(s,
                   "<body xmlns='http://jabber.org/protocol/httpbind' sid='s1' rid='" + rid + "'/>",
                   0) == core::TapIssue::not_bosh_body);
    }
}

TEST_CASE("A session created at the largest rid keeps logging", "[hostile][rid][!mayfail]") {
    BoshSession s("s0");
    s.create("s1", u64_max); // next_rid would wrap to 0
    // XEP-0124 §14.1 keeps rids below 2^53; a client that wraps sends 0, 1, ...
    s.rids["s1"] = 0;
    s.exchange({}, occupant_presence("alice", nick("A"), {}, "<status code='110'/>"));
    s.exchange({}, occupant_presence("alice", nick("B"), {}, "<status code='110'/>"));
    REQUIRE(s.out.size() == 2);
    CHECK(s.out[1].kind == core::EventKind::nick_change);
}

TEST_CASE("The largest rid as a request neither crashes nor blocks the session", "[hostile][rid]") {
    BoshSession s;
    send(s, request("s1", u64_max), 200, response());
    send(s, request("s1", u64_max - 1), 200, response());
    s.exchange({}, occupant_presence("alice", nick("A"), {}, "<status code='110'/>"));
    s.tap.tick(at(s.clock + 1000), s.out);
    require_valid_lines(s.out);
}

// Open bug (reported): a request far above the next rid that the server never answers (or
// refuses) is still released at its deadline, and next_rid jumps past it. Every later request
// of the real client then counts as a retransmission: its session is no longer audited.
TEST_CASE("A far-future rid the server refused does not blind the session",
          "[hostile][rid][!mayfail]") {
    BoshSession s;
    s.exchange({}, occupant_presence("alice", nick("A"), {}, "<status code='110'/>"));
    REQUIRE(s.out.size() == 1);
    const auto next = s.rids["s1"];
    send(s, request("s1", next + 1'000'000), 400, "rid out of window");
    // The real client goes on polling past the forged request's deadline.
    for (int i = 0; i < 120; ++i)
        s.exchange({}, {});
    s.exchange({}, occupant_presence("alice", {}, "unavailable"));
    REQUIRE(s.out.size() == 2);
    CHECK(s.out[1].kind == core::EventKind::leave);
    CHECK(s.out[1].reason == core::LeaveReason::left);
}

TEST_CASE("Thousands of held future rids cost bounded time", "[hostile][rid]") {
    BoshSession s;
    const auto next = s.rids["s1"];
    const double cpu = cpu_seconds([&] {
        for (unsigned long long i = 2; i < 5002; ++i)
            send(s, request("s1", next + i, join_request("x")), 0);
        s.tap.tick(at(s.clock + 10'000), s.out);
    });
    CHECK(s.out.empty());
    CHECK(cpu < cpu_budget_s);
}
