#pragma once
// XMPP over WebSocket (RFC 7395): one stanza per message, <open/>/<close/> framing, the bound
// JID, and XEP-0198 resumption (a dropped socket's occupants continue on the connection that
// resumes it, or leave as `disconnected` when the resume window passes).
#include "boshtap/core/bosh_tap.hpp" // HttpMeta, TapIssue
#include "boshtap/core/event.hpp"
#include "boshtap/core/options.hpp"
#include "boshtap/core/tracker.hpp"

#include <memory>
#include <optional>
#include <string_view>

namespace boshtap::core {

enum class Direction { client_to_server, server_to_client };

class WsTap {
public:
    WsTap(Tracker&, WsOptions = {});
    ~WsTap();
    WsTap(const WsTap&) = delete;
    WsTap& operator=(const WsTap&) = delete;

    void on_open(std::string_view conn, const HttpMeta&, TimePoint now);
    TapIssue on_message(std::string_view conn, Direction, std::string_view payload, TimePoint now,
                        Events& out);
    // The socket is gone (close frame, TCP reset, error). Whether the occupants leave now
    // (`terminated` after <close/>) or after the resume window depends on what was seen.
    void on_closed(std::string_view conn, TimePoint now, Events& out);
    void tick(TimePoint now, Events& out);
    // When tick() next has something to do (nullopt: nothing pending).
    std::optional<TimePoint> next_deadline() const;

    std::size_t open_connections() const;

private:
    struct State;
    std::unique_ptr<State> state_;
};

} // namespace boshtap::core
