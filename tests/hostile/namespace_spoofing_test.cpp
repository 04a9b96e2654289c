// Prefixes and namespaces that imitate <nick> and muc#user: only the expanded name counts.
#include "hostile_support.hpp"

using namespace boshtap;
using namespace boshtap::hostile;

namespace {

constexpr std::string_view self110 = "<status code='110'/>";

core::Events server_says(const std::string &stanza) {
    BoshSession s;
    s.exchange({}, stanza);
    return s.out;
}

} // namespace

TEST_CASE("A nick element in a look-alike namespace is not a display name", "[hostile][ns]") {
    const auto events = server_says(occupant_presence(
        "alice", "<evil:nick xmlns:evil='http://jabber.org/protocol/nick#not'>Mallory</evil:nick>",
        {}, self110));
    REQUIRE(events.size() == 1);
    CHECK_FALSE(events[0].nick.has_value());
}

TEST_CASE("A prefix named 'nick' bound elsewhere does not make a name", "[hostile][ns]") {
    const auto events = server_says(occupant_presence(
        "alice", "<nick:nick xmlns:nick='urn:example:spoof'>Mallory</nick:nick>", {}, self110));
    REQUIRE(events.size() == 1);
    CHECK_FALSE(events[0].nick.has_value());
}

TEST_CASE("The nearest declaration of a prefix wins over an outer one", "[hostile][ns]") {
    // The presence binds p to the nick namespace, the element rebinds it: not a nick.
    std::string stanza = occupant_presence(
        "alice", "<p:nick xmlns:p='urn:example:spoof'>Mallory</p:nick>", {}, self110);
    stanza.insert(stanza.find('>'), " xmlns:p='http://jabber.org/protocol/nick'");
    const auto events = server_says(stanza);
    REQUIRE(events.size() == 1);
    CHECK_FALSE(events[0].nick.has_value());
}

TEST_CASE("A correctly bound prefix is a nick like the default namespace", "[hostile][ns]") {
    const auto events = server_says(occupant_presence(
        "alice", "<n:nick xmlns:n='http://jabber.org/protocol/nick'>Alice</n:nick>", {}, self110));
    REQUIRE(events.size() == 1);
    CHECK(events[0].nick == "Alice");
}

TEST_CASE("A look-alike muc#user namespace does not make an occupant", "[hostile][ns]") {
    for (const std::string ns :
         {"http://jabber.org/protocol/muc#user-x", "http://jabber.org/protocol/muc#USER",
          "muc#user", "http://jabber.org/protocol/muc"}) {
        INFO(ns);
        const auto events = server_says(
            "<presence xmlns='jabber:client' from='" + std::string(room) + "/alice'><x xmlns='" +
            ns + "'><item role='participant'/><status code='110'/></x></presence>");
        CHECK(events.empty());
    }
    // A prefix that only looks like muc#user because of its name.
    const auto events = server_says(
        "<presence xmlns='jabber:client' from='" + std::string(room) +
        "/alice'><muc:x xmlns:muc='urn:example:spoof'><muc:status code='110'/></muc:x></presence>");
    CHECK(events.empty());
}

TEST_CASE("A stanza in a foreign namespace is not a presence", "[hostile][ns]") {
    std::string stanza = occupant_presence("alice", nick("A"), {}, self110);
    stanza.replace(stanza.find("jabber:client"), 13, "urn:example:presence");
    CHECK(server_says(stanza).empty());
}

TEST_CASE("A status code in a foreign namespace does not change the leave reason",
          "[hostile][ns]") {
    BoshSession s;
    s.exchange({}, occupant_presence("alice", nick("A"), {}, self110));
    s.exchange({}, occupant_presence("bob", nick("B")));
    s.out.clear();
    // 307 (kicked) smuggled in with a prefix bound to another namespace.
    s.exchange({}, occupant_presence("bob", {}, "unavailable",
                                     "<k:status xmlns:k='urn:example:spoof' code='307'/>"));
    REQUIRE(s.out.size() == 1);
    CHECK(s.out[0].reason == core::LeaveReason::left);
}
