#include "stanza.hpp"

#include "namespaces.hpp"
#include "xml.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

namespace boshtap::core {

bool PresenceView::has_code(unsigned code) const noexcept
{
    return std::find(status_codes.begin(), status_codes.end(), code) != status_codes.end();
}

namespace {

bool is_stanza_namespace(std::string_view n) noexcept
{
    return n == ns::client || n == ns::httpbind || n.empty();
}

} // namespace

bool is_stanza(const pugi::xml_node& node, std::string_view local) noexcept
{
    if (node.type() != pugi::node_element || xml::local_name(node) != local) return false;
    return is_stanza_namespace(xml::namespace_of(node));
}

namespace {

void read_muc_user(const pugi::xml_node& x, PresenceView& p)
{
    p.muc_user = true;
    // The three names are distinct, so at most one can match: its namespace is resolved only
    // for an element with one of them.
    const auto is = [&x](const pugi::xml_node& c, std::string_view local, std::string_view wanted) {
        return local == wanted && xml::child_namespace(c, x, ns::muc_user) == ns::muc_user;
    };
    for (const auto& c : x.children()) {
        if (c.type() != pugi::node_element) continue;
        const auto local = xml::local_name(c);
        if (is(c, local, "status")) {
            const std::string_view code = xml::attr(c, "code");
            unsigned value = 0;
            const auto [end, ec] = std::from_chars(code.data(), code.data() + code.size(), value);
            if (ec == std::errc{} && end == code.data() + code.size())
                p.status_codes.push_back(value);
        } else if (is(c, local, "item")) {
            p.item = {xml::attr(c, "jid"), xml::attr(c, "role"), xml::attr(c, "affiliation"),
                      xml::attr(c, "nick")};
        } else if (is(c, local, "destroy")) {
            p.destroy = true;
        }
    }
}

bool contains_word_ci(std::string_view text, std::string_view word)
{
    const auto it =
        std::search(text.begin(), text.end(), word.begin(), word.end(), [](char a, char b) {
            return std::tolower(static_cast<unsigned char>(a)) == b;
        });
    return it != text.end();
}

// A <presence/> element in a stanza namespace: that namespace (both readers take the same).
std::optional<std::string_view> presence_namespace(const pugi::xml_node& node)
{
    if (node.type() != pugi::node_element || xml::local_name(node) != "presence")
        return std::nullopt;
    const auto stanza_ns = xml::namespace_of(node);
    if (!is_stanza_namespace(stanza_ns)) return std::nullopt;
    return stanza_ns;
}

} // namespace

std::optional<PresenceView> read_presence(const pugi::xml_node& node)
{
    const auto ns_of_presence = presence_namespace(node);
    if (!ns_of_presence) return std::nullopt;
    const auto stanza_ns = *ns_of_presence;
    PresenceView p;
    p.from = xml::attr(node, "from");
    p.to = xml::attr(node, "to");
    p.type = xml::attr(node, "type");
    for (const auto& c : node.children()) {
        if (c.type() != pugi::node_element) continue;
        const auto local = xml::local_name(c);
        if (local == "x") {
            const auto x_ns = xml::child_namespace(c, node, stanza_ns);
            if (x_ns == ns::muc_user && !p.muc_user)
                read_muc_user(c, p);
            else if (x_ns == ns::muc)
                p.muc_join = true;
        } else if (local == "nick") {
            if (!p.nick && xml::child_namespace(c, node, stanza_ns) == ns::nick)
                p.nick = xml::text_of(c);
        } else if (local == "status") {
            if (!p.status && xml::child_namespace(c, node, stanza_ns) == stanza_ns)
                p.status = xml::text_of(c);
        }
    }
    return p;
}

std::optional<ClientPresenceView> read_client_presence(const pugi::xml_node& node)
{
    const auto ns_of_presence = presence_namespace(node);
    if (!ns_of_presence) return std::nullopt;
    const auto stanza_ns = *ns_of_presence;
    ClientPresenceView p;
    p.to = xml::attr(node, "to");
    p.type = xml::attr(node, "type");
    // read_presence's muc_join: any <x/> child in the MUC namespace.
    for (const auto& c : node.children()) {
        if (c.type() == pugi::node_element && xml::local_name(c) == "x" &&
            xml::child_namespace(c, node, stanza_ns) == ns::muc) {
            p.muc_join = true;
            break;
        }
    }
    return p;
}

std::optional<std::string> bind_result_jid(const pugi::xml_node& node)
{
    if (!is_stanza(node, "iq") || xml::attr(node, "type") != "result") return std::nullopt;
    const auto bind = xml::child(node, ns::bind, "bind");
    if (!bind) return std::nullopt;
    const auto jid = xml::child(bind, ns::bind, "jid");
    if (!jid) return std::nullopt;
    auto text = xml::text_of(jid);
    if (text.empty()) return std::nullopt;
    return text;
}

LeaveReason leave_reason(const PresenceView& p) noexcept
{
    if (p.destroy) return LeaveReason::room_destroyed;
    if (p.has_code(301)) return LeaveReason::banned;
    if (p.has_code(307)) return LeaveReason::kicked;
    if (p.has_code(321) || p.has_code(322)) return LeaveReason::removed;
    if (p.has_code(332)) return LeaveReason::shutdown;
    if (p.status) {
        if (*p.status == "switch_room") return LeaveReason::switch_room;
        // Prosody: "Disconnected: BOSH client silent for over 60 seconds"; smacks hibernation
        // and other servers' wording for a client that stopped answering.
        static constexpr std::array<std::string_view, 5> silence{"silent", "timed out", "timeout",
                                                                 "inactiv", "hibernat"};
        for (const auto word : silence) {
            if (contains_word_ci(*p.status, word)) return LeaveReason::timeout;
        }
    }
    return LeaveReason::left;
}

} // namespace boshtap::core
