#pragma once
#include "boshtap/core/time.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace boshtap::core {

struct TrackerOptions {
    // Occupants whose MUC resource is one of these, or whose real JID's local part is one of
    // these, are not logged (Jitsi's conference focus is `focus`).
    std::vector<std::string> ignored_resources{"focus"};
    std::vector<std::string> ignored_jid_locals{"focus"};
    // Rooms one connection may watch through its own join requests (XEP-0045 §7.2.2). A Jitsi
    // client is in at most three (main room, lobby, breakout); further requests are ignored
    // (counted), which bounds the memory and the work of ending the connection.
    std::size_t max_rooms_per_conn = 32;
};

struct BoshOptions {
    // A BOSH session with no request for longer than its inactivity + wait + this margin is
    // considered dead; its open occupants get `leave` with reason `timeout`.
    Duration silence_margin{std::chrono::seconds(30)};
    // Used when the session creation response did not say (XEP-0124 defaults are server-chosen).
    Duration default_wait{std::chrono::seconds(60)};
    Duration default_inactivity{std::chrono::seconds(60)};
    // An exchange with no response after wait + this margin counts as failed (frees rid order).
    Duration response_margin{std::chrono::seconds(30)};
};

struct WsOptions {
    // How long a WebSocket that dropped without <close/> may be resumed (XEP-0198) before its
    // open occupants get `leave` with reason `disconnected`. Prosody's smacks_hibernation_time
    // (docker-jitsi-meet: 60 s), Openfire's xmpp.session.detach.timeout, plus a margin.
    Duration resume_window{std::chrono::seconds(90)};
};

} // namespace boshtap::core
