#pragma once
// Helpers shared by the core's unit tests: building BOSH bodies and stanzas, reading events.
#include "boshtap/core/event.hpp"

#include <pugixml.hpp>

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace boshtap::test {

inline core::TimePoint at(double seconds)
{
    return core::TimePoint{} + std::chrono::milliseconds(static_cast<long long>(seconds * 1000 + 0.5));
}

inline constexpr std::string_view httpbind = "http://jabber.org/protocol/httpbind";

// A client request body (Strophe style: double quotes).
inline std::string request(std::string_view sid, unsigned long long rid, std::string_view inner = {},
                           std::string_view extra_attrs = {})
{
    std::string s = "<body rid=\"" + std::to_string(rid) + "\" sid=\"" + std::string(sid) +
                    "\" xmlns=\"http://jabber.org/protocol/httpbind\"";
    if (!extra_attrs.empty()) s += " " + std::string(extra_attrs);
    if (inner.empty()) return s + "/>";
    return s + ">" + std::string(inner) + "</body>";
}

// A server response body (Prosody style: single quotes).
inline std::string response(std::string_view inner = {}, std::string_view extra_attrs = {})
{
    std::string s = "<body xmlns='http://jabber.org/protocol/httpbind'";
    if (!extra_attrs.empty()) s += " " + std::string(extra_attrs);
    return s + ">" + std::string(inner) + "</body>";
}

struct PresenceSpec {
    std::string from;           // room@service/resource
    std::string to = "user@example.org/r";
    std::string type;           // "" available
    std::string nick;           // XEP-0172 nick text, empty = none
    bool has_nick = false;
    std::string jid;            // item jid
    std::string item_nick;      // item nick (303)
    std::vector<int> codes;
    std::string status_text;
    bool destroy = false;
};

inline std::string presence(const PresenceSpec& p)
{
    std::string s = "<presence xmlns='jabber:client' from='" + p.from + "' to='" + p.to + "'";
    if (!p.type.empty()) s += " type='" + p.type + "'";
    s += ">";
    if (p.has_nick) s += "<nick xmlns='http://jabber.org/protocol/nick'>" + p.nick + "</nick>";
    if (!p.status_text.empty()) s += "<status>" + p.status_text + "</status>";
    s += "<x xmlns='http://jabber.org/protocol/muc#user'>";
    if (p.destroy) s += "<destroy><reason>bye</reason></destroy>";
    s += "<item affiliation='none' role='" + std::string(p.type.empty() ? "participant" : "none") + "'";
    if (!p.jid.empty()) s += " jid='" + p.jid + "'";
    if (!p.item_nick.empty()) s += " nick='" + p.item_nick + "'";
    s += "/>";
    for (int c : p.codes) s += "<status code='" + std::to_string(c) + "'/>";
    return s + "</x></presence>";
}

inline std::string join_request(std::string_view occupant_jid, std::string_view nick = {})
{
    std::string s = "<presence to=\"" + std::string(occupant_jid) +
                    "\" xmlns=\"jabber:client\"><x xmlns=\"http://jabber.org/protocol/muc\"/>";
    if (!nick.empty()) s += "<nick xmlns=\"http://jabber.org/protocol/nick\">" + std::string(nick) + "</nick>";
    return s + "</presence>";
}

inline std::string bind_result(std::string_view full_jid)
{
    return "<iq type='result' id='b' xmlns='jabber:client'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>" +
           std::string(full_jid) + "</jid></bind></iq>";
}

// "join room/occupant", "leave room/occupant reason", "nick_change room/occupant" — compact
// descriptions for order-sensitive comparisons.
inline std::vector<std::string> describe(const core::Events& events)
{
    std::vector<std::string> out;
    for (const auto& e : events) {
        std::string s = std::string(core::to_string(e.kind)) + " " + e.room + "/" + e.occupant;
        if (e.kind == core::EventKind::join) s += " " + std::string(core::to_string(e.source));
        if (e.kind == core::EventKind::leave) s += " " + std::string(core::to_string(e.reason));
        if (e.kind == core::EventKind::nick_change)
            s += " " + e.old_nick.value_or("null") + "->" + e.nick.value_or("null");
        out.push_back(std::move(s));
    }
    return out;
}

} // namespace boshtap::test
