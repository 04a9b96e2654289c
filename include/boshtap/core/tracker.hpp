#pragma once
// Room and occupant tracking: turns server->client presence seen on proxied connections into
// join / nick_change / leave events, under the event rules of docs/event-rules.md.
// Transport-neutral: BoshTap and WsTap feed it stanzas of each connection in stream order.
#include "boshtap/core/event.hpp"
#include "boshtap/core/options.hpp"

#include <pugixml.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace boshtap::core {

// A read-only picture of one room, for the admin endpoint.
struct OccupantView {
    std::string occupant;
    std::optional<std::string> nick;
    std::optional<std::string> jid;
    Source source = Source::observed;
    ConnInfo conn; // own connection (self) or the observing one
    TimePoint joined{};
};
struct RoomView {
    std::string room;
    std::vector<OccupantView> occupants; // in join order
};

class Tracker {
public:
    explicit Tracker(TrackerOptions = {});
    ~Tracker();
    Tracker(const Tracker&) = delete;
    Tracker& operator=(const Tracker&) = delete;

    // A transport connection (BOSH session, WebSocket) appears / learns its bound JID.
    void open_conn(const ConnInfo&);
    void set_bound_jid(std::string_view conn, std::string_view full_jid);

    // One top-level stanza of `conn`'s stream, in stream order.
    void client_stanza(std::string_view conn, const pugi::xml_node& stanza, TimePoint now,
                       Events& out);
    void server_stanza(std::string_view conn, const pugi::xml_node& stanza, TimePoint now,
                       Events& out);

    // The connection is gone for good: its own occupants still open get `leave` with `reason`,
    // then rooms left without any proxied connection close their observed occupants
    // (`unobserved`).
    void close_conn(std::string_view conn, LeaveReason reason, TimePoint now, Events& out);

    // XEP-0198 resume: everything `old_conn` owned continues under `new_conn` (no events).
    void move_conn(std::string_view old_conn, std::string_view new_conn);

    // Graceful stop: every open occupant gets `leave` with reason `shutdown`.
    void shutdown(TimePoint now, Events& out);

    // Read-only views for metrics and the admin endpoint.
    std::size_t open_occupants() const;
    std::size_t open_rooms() const;
    std::size_t open_conns() const;
    // Join requests ignored because their connection already watched max_rooms_per_conn rooms.
    std::size_t ignored_join_requests() const;
    // Rooms with at least one occupant, sorted by name.
    std::vector<RoomView> rooms() const;

private:
    struct State;
    std::unique_ptr<State> state_;
};

} // namespace boshtap::core
