#pragma once
// Helpers shared by the core's unit tests: building BOSH bodies and stanzas, reading events.
#include "boshtap/core/event.hpp"

#include <pugixml.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace boshtap::test {

inline core::TimePoint at(double seconds)
{
    return core::TimePoint{} +
           std::chrono::milliseconds(static_cast<long long>(seconds * 1000 + 0.5));
}

inline constexpr std::string_view httpbind = "http://jabber.org/protocol/httpbind";

// A client request body (Strophe style: double quotes).
inline std::string request(std::string_view sid, unsigned long long rid,
                           std::string_view inner = {}, std::string_view extra_attrs = {})
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

// A server presence from a MUC occupant, built fluently: Presence(from).nick("A").codes({110}).
class Presence {
public:
    explicit Presence(std::string from) : from_(std::move(from)) {}
    Presence& type(std::string v)
    {
        type_ = std::move(v);
        return *this;
    }
    Presence& nick(std::string v)
    {
        nick_ = std::move(v);
        return *this;
    }
    Presence& jid(std::string v)
    {
        jid_ = std::move(v);
        return *this;
    }
    Presence& item_nick(std::string v)
    {
        item_nick_ = std::move(v);
        return *this;
    }
    Presence& codes(std::vector<int> v)
    {
        codes_ = std::move(v);
        return *this;
    }
    Presence& status(std::string v)
    {
        status_ = std::move(v);
        return *this;
    }
    Presence& destroy()
    {
        destroy_ = true;
        return *this;
    }

    std::string str() const
    {
        std::string s =
            "<presence xmlns='jabber:client' from='" + from_ + "' to='user@example.org/r'";
        if (!type_.empty()) s += " type='" + type_ + "'";
        s += ">";
        if (nick_) s += "<nick xmlns='http://jabber.org/protocol/nick'>" + *nick_ + "</nick>";
        if (!status_.empty()) s += "<status>" + status_ + "</status>";
        s += "<x xmlns='http://jabber.org/protocol/muc#user'>";
        if (destroy_) s += "<destroy><reason>bye</reason></destroy>";
        s += "<item affiliation='none' role='" +
             std::string(type_.empty() ? "participant" : "none") + "'";
        if (!jid_.empty()) s += " jid='" + jid_ + "'";
        if (!item_nick_.empty()) s += " nick='" + item_nick_ + "'";
        s += "/>";
        for (int c : codes_) s += "<status code='" + std::to_string(c) + "'/>";
        return s + "</x></presence>";
    }
    operator std::string() const { return str(); }

private:
    std::string from_;
    std::string type_;
    std::optional<std::string> nick_;
    std::string jid_;
    std::string item_nick_;
    std::vector<int> codes_;
    std::string status_;
    bool destroy_ = false;
};

inline std::string join_request(std::string_view occupant_jid, std::string_view nick = {})
{
    std::string s = "<presence to=\"" + std::string(occupant_jid) +
                    "\" xmlns=\"jabber:client\"><x xmlns=\"http://jabber.org/protocol/muc\"/>";
    if (!nick.empty())
        s += "<nick xmlns=\"http://jabber.org/protocol/nick\">" + std::string(nick) + "</nick>";
    return s + "</presence>";
}

inline std::string bind_result(std::string_view full_jid)
{
    return "<iq type='result' id='b' xmlns='jabber:client'><bind "
           "xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>" +
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
