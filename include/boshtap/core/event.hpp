#pragma once
// The audit event: one JSON line of the event log (docs/log-format.md is the contract).
#include "boshtap/core/time.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace boshtap::core {

enum class EventKind { join, nick_change, leave };
enum class Source { self, observed };
enum class Transport { bosh, websocket };
enum class LeaveReason {
    left,           // plain unavailable from the occupant
    kicked,         // status 307
    banned,         // status 301
    removed,        // status 321 / 322 (affiliation change, members-only)
    room_destroyed, // <destroy/>
    switch_room,    // <status>switch_room</status> (Jitsi breakout rooms)
    timeout,        // the server says the client went silent, or boshtap's own BOSH timer
    terminated,     // BOSH terminate (either way), unknown sid, WebSocket <close/>
    disconnected,   // WebSocket dropped and not resumed within the resume window
    unobserved,     // no proxied connection is left in the room to watch this occupant
    shutdown,       // status 332, or boshtap stopping gracefully
};

std::string_view to_string(EventKind) noexcept;
std::string_view to_string(Source) noexcept;
std::string_view to_string(Transport) noexcept;
std::string_view to_string(LeaveReason) noexcept;

// What boshtap knows about the transport connection an occupant or observation belongs to.
struct ConnInfo {
    std::string id;         // BOSH sid, or the WebSocket connection id boshtap assigns
    Transport transport = Transport::bosh;
    std::string client_ip;  // already resolved through trusted proxies
    std::string user_agent;
};

struct Event {
    TimePoint ts{};
    EventKind kind = EventKind::join;
    std::string room;                        // bare room JID
    std::string occupant;                    // MUC resource
    std::optional<std::string> nick;         // display name (<nick xmlns=".../nick">), null if none
    std::optional<std::string> old_nick;     // nick_change only
    std::optional<std::string> old_occupant; // nick_change caused by a MUC nickname change (303)
    Source source = Source::observed;        // join only
    LeaveReason reason = LeaveReason::left;  // leave only
    Duration duration{};                     // leave only: time since the join
    std::optional<std::string> jid;          // the occupant's real full JID, if known
    ConnInfo conn;                           // the connection the occupant's own stream is on
                                             // (self), or the observing connection (observed)
};

using Events = std::vector<Event>;

} // namespace boshtap::core
