// Stanza views: presence parts, namespaces that count and spoofed ones that do not.
#include "jid.hpp"
#include "stanza.hpp"
#include "xml.hpp"

#include <catch2/catch.hpp>

using namespace boshtap::core;

namespace {

std::optional<PresenceView> presence_of(pugi::xml_document& doc, const std::string& text)
{
    REQUIRE(xml::parse(text, doc));
    return read_presence(doc.document_element());
}

} // namespace

TEST_CASE("the display name comes only from XEP-0172 <nick>", "[stanza]")
{
    using Nick = std::optional<std::string>;
    const auto [what, inner, expected] = GENERATE(table<const char*, const char*, Nick>({
        {"plain", "<nick xmlns='http://jabber.org/protocol/nick'>Alice</nick>", Nick("Alice")},
        {"prefixed, correct namespace",
         "<foo:nick xmlns:foo='http://jabber.org/protocol/nick'>Alice</foo:nick>", Nick("Alice")},
        {"spoofed namespace", "<nick xmlns='http://jabber.org/protocol/nick#evil'>Mallory</nick>",
         Nick()},
        {"no namespace (inherits jabber:client)", "<nick>Mallory</nick>", Nick()},
        {"prefixed, wrong namespace", "<foo:nick xmlns:foo='urn:evil'>Mallory</foo:nick>", Nick()},
        {"nested deeper, not a child",
         "<c><nick xmlns='http://jabber.org/protocol/nick'>M</nick></c>", Nick()},
        {"entities",
         "<nick xmlns='http://jabber.org/protocol/nick'>O&apos;Neil &amp; &#x263A;</nick>",
         Nick("O'Neil & \xE2\x98\xBA")},
        {"empty element", "<nick xmlns='http://jabber.org/protocol/nick'/>", Nick("")},
        {"absent", "<stats-id>x</stats-id>", Nick()},
    }));
    INFO(what);
    pugi::xml_document doc;
    const auto p = presence_of(doc, std::string("<presence xmlns='jabber:client' from='r@m/a'>") +
                                        inner + "</presence>");
    REQUIRE(p);
    CHECK(p->nick == expected);
}

TEST_CASE("muc#user status codes, item and destroy need the muc#user namespace", "[stanza]")
{
    pugi::xml_document doc;
    auto p =
        presence_of(doc, "<presence xmlns='jabber:client' from='r@m/a' type='unavailable'>"
                         "<m:x xmlns:m='http://jabber.org/protocol/muc#user'><m:status code='110'/>"
                         "<m:item jid='a@d/r' role='none' affiliation='member' "
                         "nick='new'/><m:destroy/></m:x></presence>");
    REQUIRE(p);
    CHECK(p->muc_user);
    CHECK(p->has_code(110));
    CHECK(p->item.jid == "a@d/r");
    CHECK(p->item.nick == "new");
    CHECK(p->destroy);

    p = presence_of(doc, "<presence xmlns='jabber:client' from='r@m/a'>"
                         "<x xmlns='http://evil.example/muc#user'><status code='110'/><item "
                         "jid='x@y/z'/></x></presence>");
    REQUIRE(p);
    CHECK_FALSE(p->muc_user);
    CHECK_FALSE(p->has_code(110));
    CHECK(p->item.jid.empty());

    p = presence_of(doc, "<presence xmlns='jabber:client' to='r@m/a'><x "
                         "xmlns='http://jabber.org/protocol/muc'/></presence>");
    REQUIRE(p);
    CHECK(p->muc_join);
    CHECK_FALSE(p->muc_user);
}

TEST_CASE("only stanzas in the client (or BOSH wrapper) namespace are presences", "[stanza]")
{
    pugi::xml_document doc;
    REQUIRE(xml::parse("<body xmlns='http://jabber.org/protocol/httpbind'><presence from='r@m/a'/>"
                       "<presence xmlns='urn:evil' from='r@m/b'/></body>",
                       doc));
    const auto body = doc.document_element();
    CHECK(read_presence(body.first_child()));
    CHECK_FALSE(read_presence(body.last_child()));
}

TEST_CASE("leave reasons from status codes, destroy and status text", "[stanza]")
{
    const auto [x_inner, status_text,
                reason] = GENERATE(table<const char*, const char*, LeaveReason>({
        {"", "", LeaveReason::left},
        {"<status code='307'/>", "", LeaveReason::kicked},
        {"<status code='301'/>", "", LeaveReason::banned},
        {"<status code='321'/>", "", LeaveReason::removed},
        {"<status code='322'/>", "", LeaveReason::removed},
        {"<status code='332'/>", "", LeaveReason::shutdown},
        {"<destroy><reason>The meeting has been terminated</reason></destroy><status code='110'/>",
         "", LeaveReason::room_destroyed},
        {"<status code='110'/>", "switch_room", LeaveReason::switch_room},
        {"", "Disconnected: BOSH client silent for over 60 seconds", LeaveReason::timeout},
        {"", "Connection TIMED OUT", LeaveReason::timeout},
        {"", "session timeout", LeaveReason::timeout},
        {"", "Client inactive", LeaveReason::timeout},
        {"", "Hibernation expired", LeaveReason::timeout},
        {"", "Bye for now", LeaveReason::left},
    }));
    pugi::xml_document doc;
    std::string text = "<presence xmlns='jabber:client' from='r@m/a' type='unavailable'>";
    if (*status_text) text += std::string("<status>") + status_text + "</status>";
    text += std::string("<x xmlns='http://jabber.org/protocol/muc#user'>") + x_inner +
            "</x></presence>";
    const auto p = presence_of(doc, text);
    REQUIRE(p);
    CHECK(leave_reason(*p) == reason);
}

TEST_CASE("a <status> in another namespace is not the presence status", "[stanza]")
{
    pugi::xml_document doc;
    const auto p =
        presence_of(doc, "<presence xmlns='jabber:client' from='r@m/a' type='unavailable'>"
                         "<status xmlns='urn:evil'>switch_room</status>"
                         "<x xmlns='http://jabber.org/protocol/muc#user'/></presence>");
    REQUIRE(p);
    CHECK(leave_reason(*p) == LeaveReason::left);
}

TEST_CASE("bind result", "[stanza]")
{
    const auto [text, expected] = GENERATE(table<const char*, const char*>({
        {"<iq type='result' xmlns='jabber:client'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>"
         "<jid>u@d/r</jid></bind></iq>",
         "u@d/r"},
        {"<iq type='set' xmlns='jabber:client'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>"
         "<jid>u@d/r</jid></bind></iq>",
         ""},
        {"<iq type='result' xmlns='jabber:client'><bind "
         "xmlns='urn:evil'><jid>u@d/r</jid></bind></iq>",
         ""},
        {"<iq type='result' xmlns='jabber:client'><b:bind "
         "xmlns:b='urn:ietf:params:xml:ns:xmpp-bind'>"
         "<b:jid>u@d/r</b:jid></b:bind></iq>",
         "u@d/r"},
    }));
    pugi::xml_document doc;
    REQUIRE(xml::parse(text, doc));
    CHECK(bind_result_jid(doc.document_element()).value_or("") == expected);
}

TEST_CASE("JID split", "[stanza]")
{
    CHECK(split_jid("room@muc.example/res").bare == "room@muc.example");
    CHECK(split_jid("room@muc.example/res/with/slash").resource == "res/with/slash");
    CHECK(split_jid("room@muc.example").resource.empty());
    CHECK(jid_local("focus@auth.example/focus") == "focus");
    CHECK(jid_local("example.org").empty());
}
