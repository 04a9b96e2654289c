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

TEST_CASE("A session created at the largest rid keeps logging", "[hostile][rid]") {
    BoshSession s("s0");
    s.create("s1", u64_max); // next_rid would wrap to 0
    // XEP-0124 §14.1 keeps rids below 2^53; a client that wraps sends 0, 1, ... and the tap
    // takes the next rid from that first request.
    s.rids["s1"] = 0;
    s.exchange({}, occupant_presence("alice", nick("A"), {}, "<status code='110'/>"));
    s.exchange({}, occupant_presence("alice", nick("B"), {}, "<status code='110'/>"));
    REQUIRE(s.out.size() == 2);
    CHECK(s.out[1].kind == core::EventKind::nick_change);
}

TEST_CASE("The largest rid as a request neither crashes nor blocks the session", "[hostile][rid]") {
    BoshSession s;
    CHECK(send(s, request("s1", u64_max), 200, response()) == core::TapIssue::rid_out_of_window);
    CHECK(send(s, request("s1", u64_max - 1), 200, response()) == core::TapIssue::rid_out_of_window);
    s.exchange({}, occupant_presence("alice", nick("A"), {}, "<status code='110'/>"));
    s.tap.tick(at(s.clock + 1000), s.out);
    require_valid_lines(s.out);
}

// Formerly open bug 5: a request far above the next rid that the server never answered (or
// refused) was still released at its deadline, and next_rid jumped past it. Every later request
// of the real client then counted as a retransmission: its session was no longer audited. Now a
// held request is released only by the gap filling or its own 2xx answer, and rids beyond the
// window (1024 above the next one) or past 2^53 - 1 are refused on arrival.
TEST_CASE("A far-future rid the server refused does not blind the session", "[hostile][rid]") {
    const auto [forged, status] = GENERATE(table<unsigned long long, unsigned>({
        {1'000'000, 400}, // beyond the window: refused on arrival
        {1'000'000, 0},   // never answered
        {500, 400},       // inside the window, refused by the server
        {500, 0},         // inside the window, never answered: dropped at its deadline
        {1, 0},           // the very next rid but one, never answered
    }));
    INFO("next + " << forged << ", status " << status);
    BoshSession s;
    s.exchange({}, occupant_presence("alice", nick("A"), {}, "<status code='110'/>"));
    REQUIRE(s.out.size() == 1);
    const auto next = s.rids["s1"];
    send(s, request("s1", next + forged, join_request("bob")), status, "rid out of window");
    // The real client goes on polling past the forged request's deadline.
    for (int i = 0; i < 120; ++i)
        s.exchange({}, {});
    s.exchange({}, occupant_presence("alice", {}, "unavailable"));
    REQUIRE(s.out.size() == 2);
    CHECK(s.out[1].kind == core::EventKind::leave);
    CHECK(s.out[1].reason == core::LeaveReason::left);
}

TEST_CASE("A forged rid refused inside the window leaves that rid to the real client",
          "[hostile][rid]") {
    BoshSession s; // bob's session s1; carol's session s2 is in the room
    s.create("s2", 5000);
    s.exchange({}, occupant_presence("carol", nick("C"), {}, "<status code='110'/>"), "s2");
    const auto next = s.rids["s1"];
    send(s, request("s1", next + 1, join_request("mallory")), 400, "bad request");
    // bob's own request with that rid is processed, not taken for a retransmission: its join
    // request makes bob's join `self` even though carol's stream shows it first.
    s.exchange({}, {});
    s.exchange(join_request("bob"), {});
    s.exchange({}, occupant_presence("bob", nick("Bob")), "s2");
    REQUIRE(s.out.size() == 2);
    CHECK(s.out[1].occupant == "bob");
    CHECK(s.out[1].source == core::Source::self);
    CHECK(s.out[1].conn.id == "s1");
}

TEST_CASE("Rids past 2^53 - 1 are not requests", "[hostile][rid]") {
    BoshSession s;
    constexpr unsigned long long limit = (1ull << 53) - 1;
    CHECK(send(s, request("s1", limit + 1), 0) == core::TapIssue::rid_out_of_window);
    CHECK(send(s, request("s1", u64_max - 1), 0) == core::TapIssue::rid_out_of_window);
    // A session created just below the limit counts up to it.
    s.create("s2", limit - 1);
    s.rids["s2"] = limit;
    s.exchange({}, occupant_presence("alice", nick("A"), {}, "<status code='110'/>"), "s2");
    REQUIRE(s.out.size() == 1);
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
