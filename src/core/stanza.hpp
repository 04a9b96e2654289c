#pragma once
// Read-only views of the stanzas the tracker cares about. Views point into the parsed document
// and live as long as it.
#include "boshtap/core/event.hpp"

#include <pugixml.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace boshtap::core {

// XEP-0045 §15.5: <item/> inside <x xmlns='http://jabber.org/protocol/muc#user'>.
struct MucItem {
    std::string_view jid;
    std::string_view role;
    std::string_view affiliation;
    std::string_view nick;
};

struct PresenceView {
    std::string_view from;
    std::string_view to;
    std::string_view type;              // "" = available
    std::optional<std::string> nick;    // XEP-0172 <nick>, entities decoded
    std::optional<std::string> status;  // <status/> text
    bool muc_join = false;              // <x xmlns='.../muc'/>: a client's join request
    bool muc_user = false;              // <x xmlns='.../muc#user'/> present
    std::vector<unsigned> status_codes; // muc#user <status code=.../>
    MucItem item;
    bool destroy = false; // muc#user <destroy/>

    bool has_code(unsigned code) const noexcept;
};

// Stanzas are in jabber:client; inside a BOSH body a stanza may also inherit the body's
// namespace (Prosody accepts that), and some clients leave it unqualified.
bool is_stanza(const pugi::xml_node&, std::string_view local) noexcept;

std::optional<PresenceView> read_presence(const pugi::xml_node&);

// What the tracker uses of a client's presence (a join request: available, with
// <x xmlns='.../muc'/>): the same fields as read_presence gives, without reading the rest.
struct ClientPresenceView {
    std::string_view to;
    std::string_view type;
    bool muc_join = false;
};
std::optional<ClientPresenceView> read_client_presence(const pugi::xml_node&);

// RFC 6120 §7.6.1: <iq type='result'><bind xmlns='...xmpp-bind'><jid>full</jid></bind></iq>.
std::optional<std::string> bind_result_jid(const pugi::xml_node&);

// Why an occupant's unavailable presence ended its stay (XEP-0045 §15.6 status codes, Jitsi's
// switch_room status, Prosody's and Openfire's silence wording).
LeaveReason leave_reason(const PresenceView&) noexcept;

} // namespace boshtap::core
