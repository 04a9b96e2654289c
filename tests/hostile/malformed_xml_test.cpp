// Malformed and malicious XML in BOSH bodies and WebSocket messages: refused cheaply, no events,
// no entity ever expanded.
#include "hostile_support.hpp"

using namespace boshtap;
using namespace boshtap::hostile;

namespace {

// A body whose stanzas would join an occupant, wrapped around `bad`.
std::string with_join(std::string_view bad) {
    return response(occupant_presence("alice", nick("Alice"), {}, "<status code='110'/>") +
                    std::string(bad));
}

core::TapIssue answer(BoshSession &s, std::string_view body) {
    const auto id = s.next_id++;
    s.tap.on_request(id, BoshSession::meta(), request("s1", s.rids["s1"]++), at(++s.clock), s.out);
    return s.tap.on_response(id, 200, body, at(++s.clock), s.out);
}

} // namespace

TEST_CASE("An unclosed tag makes the whole body unusable", "[hostile][xml]") {
    BoshSession s;
    CHECK(answer(s, with_join("<presence from='x'>")) == core::TapIssue::not_xml);
    CHECK(answer(s, "<body xmlns='http://jabber.org/protocol/httpbind'><presence") ==
          core::TapIssue::not_xml);
    CHECK(s.out.empty());
    CHECK(s.tap.open_sessions() == 1); // the session itself is unharmed
}

TEST_CASE("A DOCTYPE with an entity bomb is refused without expansion", "[hostile][xml]") {
    std::string dtd = "<!DOCTYPE body [<!ENTITY l0 'lol'>";
    for (int i = 1; i < 10; ++i)
        dtd += "<!ENTITY l" + std::to_string(i) + " '" + [&] {
            std::string refs;
            for (int k = 0; k < 10; ++k)
                refs += "&l" + std::to_string(i - 1) + ";";
            return refs;
        }() + "'>";
    dtd += "]>";
    const std::string bomb = dtd + with_join(nick("&l9;"));
    BoshSession s;
    core::TapIssue issue{};
    const double cpu = cpu_seconds([&] { issue = answer(s, bomb); });
    CHECK(issue == core::TapIssue::not_xml);
    CHECK(s.out.empty());
    CHECK(cpu < cpu_budget_s);
}

TEST_CASE("An external entity (XXE) is refused and never resolved", "[hostile][xml]") {
    BoshSession s;
    const std::string xxe =
        "<!DOCTYPE body [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>" + with_join(nick("&x;"));
    CHECK(answer(s, xxe) == core::TapIssue::not_xml);
    CHECK(s.out.empty());
    // Without a DOCTYPE an undeclared entity is not expanded either: the presence is logged
    // with the reference as literal text or not at all, never with a file's content.
    answer(s, with_join(nick("&x;")));
    for (const auto &e : s.out)
        CHECK((!e.nick || e.nick->find("root:") == std::string::npos));
}

TEST_CASE("100k levels of nesting cost bounded time and produce nothing", "[hostile][xml]") {
    constexpr int depth = 100'000;
    std::string deep;
    deep.reserve(depth * 8);
    for (int i = 0; i < depth; ++i)
        deep += "<a>";
    for (int i = 0; i < depth; ++i)
        deep += "</a>";
    BoshSession s;
    const double cpu = cpu_seconds([&] {
        answer(s, response("<presence xmlns='jabber:client' from='r@c/x'>" + deep + "</presence>"));
        // Unclosed: the parser must give up, not recurse.
        answer(s, response(deep.substr(0, depth * 3)));
    });
    CHECK(s.out.empty());
    CHECK(cpu < cpu_budget_s);
}

TEST_CASE("A 10 MB attribute value is parsed in bounded time", "[hostile][xml]") {
    const std::string huge(10u << 20, 'A');
    BoshSession s;
    double cpu = cpu_seconds([&] {
        // Client side: a join request to an absurd resource logs nothing.
        s.exchange("<presence xmlns='jabber:client' to='" + std::string(room) + "/" + huge +
                       "'><x xmlns='http://jabber.org/protocol/muc'/></presence>",
                   {});
    });
    CHECK(s.out.empty());
    CHECK(cpu < cpu_budget_s);
    cpu =
        cpu_seconds([&] { s.exchange({}, occupant_presence("bob", "<c node='" + huge + "'/>")); });
    CHECK(cpu < cpu_budget_s);
    REQUIRE(s.out.size() == 1); // an observed join; the attribute is not part of the event
    CHECK(s.out[0].occupant == "bob");
}

TEST_CASE("Invalid UTF-8 is refused, wherever it is", "[hostile][xml]") {
    const std::vector<std::string> bad = {
        "\xC0\xAF",         // overlong '/'
        "\xED\xA0\x80",     // UTF-16 surrogate
        "\xF4\x90\x80\x80", // past U+10FFFF
        "\xFF",             // never valid
        "\xE2\x82",         // truncated sequence
    };
    for (const auto &b : bad) {
        BoshSession s;
        CHECK(answer(s, with_join(nick(b))) == core::TapIssue::not_xml);
        CHECK(answer(s,
                     response(occupant_presence("a" + b, nick("x"), {}, "<status code='110'/>"))) ==
              core::TapIssue::not_xml);
        CHECK(s.out.empty());
    }
}

TEST_CASE("NUL bytes are refused, raw or in a WebSocket message", "[hostile][xml]") {
    BoshSession s;
    CHECK(answer(s, with_join(nick(std::string("Al\0ice", 6)))) == core::TapIssue::not_xml);
    CHECK(s.out.empty());

    core::Tracker tracker;
    core::WsTap ws(tracker);
    core::Events out;
    ws.on_open("w1", {}, at(0));
    const std::string msg =
        occupant_presence("alice", nick(std::string("A\0", 2)), {}, "<status code='110'/>");
    CHECK(ws.on_message("w1", core::Direction::server_to_client, msg, at(1), out) ==
          core::TapIssue::not_xml);
    CHECK(out.empty());
}

// Formerly open bug 1: character references were decoded after the UTF-8 check, so &#xD800;
// (a surrogate), &#x110000; and &#0; put invalid UTF-8 or a NUL into a logged field. Such a
// reference is not well-formed XML (XML 1.0 §4.1): the body is refused.
TEST_CASE("Character references to non-characters never reach an event", "[hostile][xml]") {
    for (const std::string ref : {"&#xD800;", "&#x110000;", "&#xFFFFFFFF;", "&#0;", "&#x1;"}) {
        BoshSession s;
        INFO(ref);
        CHECK(answer(s, response(occupant_presence("alice", nick("A" + ref), {},
                                                   "<status code='110'/>"))) ==
              core::TapIssue::not_xml);
        CHECK(s.out.empty());
    }
    // &#0; silently cut a C string: "vic&#0;tim" was logged as "vic".
    BoshSession s;
    CHECK(answer(s, response(occupant_presence("vic&#0;tim", nick("A"), {},
                                               "<status code='110'/>"))) ==
          core::TapIssue::not_xml);
    CHECK(s.out.empty());
    // The same over WebSocket.
    core::Tracker tracker;
    core::WsTap ws(tracker);
    core::Events out;
    ws.on_open("w1", {}, at(0));
    CHECK(ws.on_message("w1", core::Direction::server_to_client,
                        occupant_presence("alice", nick("A&#xDFFF;"), {}, "<status code='110'/>"),
                        at(1), out) == core::TapIssue::not_xml);
    CHECK(out.empty());
    // A legal reference still works.
    BoshSession ok;
    answer(ok, response(occupant_presence("alice", nick("A&#x1F600;"), {}, "<status code='110'/>")));
    REQUIRE(ok.out.size() == 1);
    CHECK(ok.out[0].nick == "A\xF0\x9F\x98\x80");
    require_valid_lines(ok.out);
}
