#include "boshtap/core/tracker.hpp"

#include "jid.hpp"
#include "stanza.hpp"
#include "string_map.hpp"

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

// How the event rules are met: docs/architecture.md, "Core: the event rules, as implemented".
// All work per stanza is O(1) in the room size, except a leave (O(members) tombstones) and a
// member leaving the room (O(occupants) hand-over).

namespace boshtap::core {

namespace {

struct Conn {
    ConnInfo info;
    std::string bound_jid;
    std::vector<std::string> rooms; // rooms it watches (pending join or member), few per conn
};
using ConnPtr = std::shared_ptr<Conn>;

// A proxied connection's relation to a room: joining (pending) or in it (member).
struct Watcher {
    ConnPtr conn;
    std::string own_resource; // the occupant it asked to be (pending) or is (member)
    bool member = false;
    // Departed occupants whose unavailable this stream has not shown yet: older copies of their
    // presence may still be in flight on it and must not re-create them. The value is when to
    // forget the tombstone anyway (see settle_tombstones).
    StringMap<TimePoint> tombstones;
    // Until its own presence confirms the join: the occupants this stream has shown (its
    // roster). Emptied at the confirmation; bounded for a server that never confirms one.
    bool joined = false;
    StringSet shown;
};

struct Occupant {
    std::optional<std::string> nick;
    std::optional<std::string> jid;
    TimePoint joined{};
    std::uint64_t seq = 0; // join order in the room, for a stable order of bulk leaves
    Source source = Source::observed;
    ConnPtr own;  // the occupant's own connection, if it is proxied
    ConnPtr auth; // the authoritative stream: own, else the observer
    // `own` is provisional until that connection shows the occupant's own presence (status 110,
    // or the item's real JID equal to its bound JID). A claim through a pending join or a bound
    // JID seen on another stream may be wrong (a join request for someone else's resource,
    // racing their join); only a confirmed owner's connection end ends the occupant.
    bool confirmed = false;
    // Observed occupants only: the name each other member's stream showed last. The stream that
    // first saw the occupant may die (a vanished client the server has not dropped yet) while the
    // others keep seeing its changes; these views let another stream take over without letting
    // a lagging stream's older copies count (see on_available).
    std::vector<std::pair<const Conn*, std::optional<std::string>>> views;

    std::optional<std::string>* view_of(const Conn* c)
    {
        for (auto& [conn, view] : views)
            if (conn == c) return &view;
        return nullptr;
    }
};

struct Room {
    StringMap<Occupant> occupants;
    std::unordered_map<const Conn*, Watcher> watchers;
    StringMap<const Conn*> by_own_resource; // whose own (or pending) occupant a resource is
    // Occupants boshtap ended itself when their connection ended (terminated, timeout,
    // disconnected) while the server may still hold them for a while (a resumable WebSocket, a
    // BOSH session until its inactivity): until the server's unavailable shows on some stream,
    // other streams' copies (a newcomer's roster) must not bring them back as `observed`.
    StringMap<TimePoint> ghosts; // resource -> when to forget it anyway
    std::uint64_t next_seq = 0;
};

// Longest a server keeps a dropped session's occupant (Openfire's detach timeout is up to
// 10 minutes); past it, a copy of the resource is a new occupant again.
constexpr Duration ghost_ttl = std::chrono::minutes(10);

// How long a joining stream's tombstone for an occupant its roster did not list is kept after
// the join is confirmed: the occupant may have joined and left right after this stream did, and
// the server's broadcasts of both be still on their way.
constexpr Duration join_settle = std::chrono::seconds(10);
constexpr TimePoint until_shown = TimePoint::max();
constexpr std::size_t max_shown = 4096;

} // namespace

struct Tracker::State {
    TrackerOptions options;
    StringMap<ConnPtr> conns;
    StringMap<ConnPtr> by_bound_jid;
    StringMap<Room> rooms;
    std::size_t occupant_count = 0;
    std::size_t ignored_join_requests = 0;

    ConnPtr conn(std::string_view id)
    {
        if (auto it = conns.find(id); it != conns.end()) return it->second;
        // A stanza before open_conn: track it anyway, with what is known.
        auto c = std::make_shared<Conn>();
        c->info.id = std::string(id);
        conns.emplace(c->info.id, c);
        return c;
    }

    bool ignored(std::string_view resource, std::string_view real_jid) const
    {
        const auto& res = options.ignored_resources;
        if (std::find(res.begin(), res.end(), resource) != res.end()) return true;
        if (real_jid.empty()) return false;
        const auto local = jid_local(real_jid);
        const auto& locals = options.ignored_jid_locals;
        return std::find(locals.begin(), locals.end(), local) != locals.end();
    }

    static Event make_event(EventKind kind, std::string_view room, std::string_view resource,
                            const Occupant& occ, TimePoint now)
    {
        Event e;
        e.ts = now;
        e.kind = kind;
        e.room = std::string(room);
        e.occupant = std::string(resource);
        e.nick = occ.nick;
        e.source = occ.source;
        e.jid = occ.jid;
        // Only a confirmed owner's JID: a provisional claim may be someone else's.
        if (!e.jid && occ.own && occ.confirmed && !occ.own->bound_jid.empty())
            e.jid = occ.own->bound_jid;
        if (occ.own)
            e.conn = occ.own->info;
        else if (occ.auth)
            e.conn = occ.auth->info;
        return e;
    }

    Watcher& watch(Room& room, std::string_view room_jid, const ConnPtr& c,
                   std::string_view resource)
    {
        auto [it, inserted] = room.watchers.try_emplace(c.get());
        Watcher& w = it->second;
        if (inserted) {
            w.conn = c;
            c->rooms.emplace_back(room_jid);
        }
        if (w.own_resource != resource) {
            forget_own_resource(room, w.own_resource, c.get());
            w.own_resource = std::string(resource);
            room.by_own_resource.insert_or_assign(w.own_resource, c.get());
        }
        return w;
    }

    static void forget_own_resource(Room& room, std::string_view resource, const Conn* c)
    {
        if (auto it = room.by_own_resource.find(resource);
            it != room.by_own_resource.end() && it->second == c)
            room.by_own_resource.erase(it);
    }

    // The proxied connection an occupant belongs to, seen from another stream: a pending join
    // for its resource, or its real JID bound on a proxied connection. Provisional either way.
    ConnPtr owner_of(Room& room, std::string_view resource, std::string_view real_jid)
    {
        if (auto it = room.by_own_resource.find(resource); it != room.by_own_resource.end()) {
            if (auto w = room.watchers.find(it->second); w != room.watchers.end()) {
                // A real JID in the presence (non-anonymous rooms, as Jitsi's: XEP-0045 §7.2.3)
                // that is not the requester's bound JID says this is someone else under the
                // resource it asked for. Without either JID there is no telling (see
                // docs/reliability.md).
                const auto& bound = w->second.conn->bound_jid;
                if (real_jid.empty() || bound.empty() || bound == real_jid)
                    return w->second.conn;
            }
        }
        if (!real_jid.empty()) {
            if (auto it = by_bound_jid.find(real_jid); it != by_bound_jid.end()) return it->second;
        }
        return nullptr;
    }

    void tombstone(Room& room, std::string_view resource, const Conn* seen_by, const Conn* own)
    {
        // Joining watchers too: the roster snapshot the server is sending one may predate this
        // leave (a BOSH terminate ends the occupant here before the server has broadcast it).
        for (auto& [key, w] : room.watchers) {
            if (key != seen_by && key != own && w.own_resource != resource)
                w.tombstones.insert_or_assign(std::string(resource), until_shown);
        }
    }

    // Logs the leave and forgets the occupant; returns its own connection (it leaves the room).
    ConnPtr leave_occupant(Room& room, std::string_view room_jid, StringMap<Occupant>::iterator it,
                           LeaveReason reason, const Conn* seen_by, TimePoint now, Events& out)
    {
        const std::string resource = it->first;
        Occupant occ = std::move(it->second);
        room.occupants.erase(it);
        --occupant_count;
        Event e = make_event(EventKind::leave, room_jid, resource, occ, now);
        e.reason = reason;
        e.duration = now - occ.joined;
        out.push_back(std::move(e));
        tombstone(room, resource, seen_by, occ.own.get());
        return occ.own;
    }

    void close_all(std::string_view room_jid, Room& room, LeaveReason reason, TimePoint now,
                   Events& out)
    {
        std::vector<StringMap<Occupant>::iterator> order;
        order.reserve(room.occupants.size());
        for (auto it = room.occupants.begin(); it != room.occupants.end(); ++it)
            order.push_back(it);
        std::sort(order.begin(), order.end(),
                  [](const auto& a, const auto& b) { return a->second.seq < b->second.seq; });
        for (const auto& it : order) {
            Event e = make_event(EventKind::leave, room_jid, it->first, it->second, now);
            e.reason = reason;
            e.duration = now - it->second.joined;
            out.push_back(std::move(e));
        }
        occupant_count -= room.occupants.size();
        room.occupants.clear();
    }

    // `c` no longer watches the room: its observations pass to another watcher (members first);
    // with nobody left, the remaining (observed) occupants are unobserved and the room is gone.
    void drop_watcher(const std::string& room_jid, const Conn& c, TimePoint now, Events& out)
    {
        auto rit = rooms.find(room_jid);
        if (rit == rooms.end()) return;
        Room& room = rit->second;
        auto wit = room.watchers.find(&c);
        if (wit == room.watchers.end()) return;
        const ConnPtr keep = wit->second.conn;
        forget_own_resource(room, wit->second.own_resource, &c);
        room.watchers.erase(wit);
        // Bounded by max_rooms_per_conn; close_conn has emptied it already.
        auto& watched = keep->rooms;
        if (auto it = std::find(watched.begin(), watched.end(), room_jid); it != watched.end())
            watched.erase(it);

        const Watcher* heir = nullptr;
        for (const auto& [key, w] : room.watchers) {
            if (!heir || (w.member && !heir->member)) heir = &w;
        }
        if (!heir) {
            close_all(room_jid, room, LeaveReason::unobserved, now, out);
            rooms.erase(rit);
            return;
        }
        for (auto& [resource, occ] : room.occupants) {
            std::erase_if(occ.views, [&c](const auto& v) { return v.first == &c; });
            if (occ.own.get() == &c) { // an unconfirmed claim: the occupant is someone else's
                occ.own.reset();
                occ.confirmed = false;
                occ.source = Source::observed;
            }
            if (occ.auth.get() == &c) occ.auth = occ.own ? occ.own : heir->conn;
        }
    }

    // Another connection has confirmed an occupant that `old` claimed: `old`'s join is still
    // pending (the server will refuse or rename it), it is not in the room under that resource.
    static void disown(Room& room, std::string_view resource, const ConnPtr& old)
    {
        auto wit = room.watchers.find(old.get());
        if (wit == room.watchers.end() || wit->second.own_resource != resource) return;
        wit->second.member = false;
        wit->second.tombstones.clear();
    }

    // The own presence comes after the roster (XEP-0045 §7.2.3), but broadcasts the server
    // queued meanwhile (a name change, a leave) may still follow it. A tombstone for an occupant
    // the roster listed stays until this stream shows its unavailable. One the roster did not
    // list is for a leave the server completed before this stream joined: no unavailable will
    // come, so it lapses after join_settle.
    static void settle_tombstones(Watcher& w, TimePoint now)
    {
        for (auto& [resource, until] : w.tombstones) {
            if (!w.shown.contains(resource)) until = std::min(until, now + join_settle);
        }
        w.joined = true;
        StringSet().swap(w.shown);
    }

    void server_presence(const ConnPtr& c, const PresenceView& p, TimePoint now, Events& out)
    {
        const auto [room_part, resource] = split_jid(p.from);
        if (room_part.empty() || resource.empty()) return;
        if (p.type == "error") {
            end_pending(c, room_part, resource, now, out);
            return;
        }
        const bool unavailable = p.type == "unavailable";
        // Occupant presence always carries muc#user (XEP-0045 §7.2.3); anything else is not MUC.
        if ((!unavailable && !p.type.empty()) || !p.muc_user) return;
        if (ignored(resource, p.item.jid)) return;

        const bool self_code = p.has_code(110);
        const bool my_jid = !c->bound_jid.empty() && p.item.jid == c->bound_jid;
        auto rit = rooms.find(room_part);
        Watcher* w = nullptr;
        if (rit != rooms.end()) {
            if (auto wit = rit->second.watchers.find(c.get()); wit != rit->second.watchers.end())
                w = &wit->second;
        }
        if (!w) {
            // A stream that is neither in nor joining the room only counts with its own presence
            // (the join request predates boshtap); other copies on it are stale.
            if (unavailable || !(self_code || my_jid)) return;
            rit = rooms.try_emplace(std::string(room_part)).first;
            w = &watch(rit->second, rit->first, c, resource);
        }
        const std::string room_jid = rit->first;
        // Its own presence on its own stream confirms ownership; a presence from the resource
        // this stream asked for claims it provisionally (a server that sends no 110).
        const bool confirming = self_code || my_jid;
        const bool own = confirming || resource == w->own_resource;
        if (unavailable)
            on_unavailable(room_jid, rit->second, *w, c, resource, p, now, out);
        else
            on_available(room_jid, rit->second, *w, c, resource, p, own, confirming, now, out);
    }

    void on_available(const std::string& room_jid, Room& room, Watcher& w, const ConnPtr& c,
                      std::string_view resource, const PresenceView& p, bool own,
                      bool confirming, TimePoint now, Events& out)
    {
        if (!w.joined && w.shown.size() < max_shown) w.shown.emplace(resource);
        if (auto t = w.tombstones.find(resource); t != w.tombstones.end()) {
            if (now < t->second) return;
            w.tombstones.erase(t); // lapsed (see settle_tombstones)
        }
        if (auto g = room.ghosts.find(resource); g != room.ghosts.end()) {
            if (now < g->second && !(own && confirming)) return; // the server still holds it
            room.ghosts.erase(g); // its own new session, or the server must have let it go
        }
        auto it = room.occupants.find(resource);
        if (it == room.occupants.end()) {
            const ConnPtr owner = own ? c : owner_of(room, resource, p.item.jid);
            Occupant occ;
            occ.nick = p.nick;
            if (!p.item.jid.empty()) occ.jid = std::string(p.item.jid);
            occ.joined = now;
            occ.seq = room.next_seq++;
            occ.source = owner ? Source::self : Source::observed;
            occ.own = owner;
            occ.confirmed = own && confirming;
            occ.auth = owner ? owner : c;
            if (owner) {
                Watcher& ow = watch(room, room_jid, owner, resource);
                ow.member = true;
                if (occ.confirmed && !ow.joined) settle_tombstones(ow, now);
            }
            const auto& stored =
                room.occupants.emplace(std::string(resource), std::move(occ)).first->second;
            ++occupant_count;
            out.push_back(make_event(EventKind::join, room_jid, resource, stored, now));
            return;
        }
        Occupant& occ = it->second;
        if (own && !occ.own) {
            occ.own = occ.auth = c; // first seen on another stream, now claimed
        } else if (confirming && occ.own != c && !occ.confirmed) {
            disown(room, resource, occ.own); // another connection's claim was wrong
            occ.own = occ.auth = c;
        }
        if (own && occ.own == c) {
            w.member = true;
            if (confirming) {
                occ.confirmed = true;
                if (!w.joined) settle_tombstones(w, now);
            }
        }
        if (occ.auth != c) {
            if (!take_over(occ, *c, p)) return; // a copy on another stream
            occ.auth = c;
        }
        if (!occ.jid && !p.item.jid.empty()) occ.jid = std::string(p.item.jid);

        std::optional<std::string> next = occ.nick;
        if (p.nick)
            next = p.nick;
        else if (p.has_code(110) && occ.own == c)
            next.reset(); // own echo without a name
        if (next == occ.nick) return;
        Event e = make_event(EventKind::nick_change, room_jid, resource, occ, now);
        e.old_nick = std::move(occ.nick);
        e.nick = next;
        occ.nick = std::move(next);
        out.push_back(std::move(e));
    }

    // A copy of an observed occupant's presence on a stream that is not authoritative. The
    // first copy a stream shows is its starting point (a roster snapshot may be older or newer
    // than the log; nothing tells which). After that, a stream whose last view matched the log
    // and that now shows another name is ahead of the log — the authoritative stream is dead or
    // behind — so it takes over. A lagging stream's older copies never match the log, so they
    // never count.
    static bool take_over(Occupant& occ, const Conn& c, const PresenceView& p)
    {
        if (occ.own) return false; // the occupant's own stream decides
        auto* view = occ.view_of(&c);
        if (!view) {
            occ.views.emplace_back(&c, p.nick); // the starting point, with or without a name
            return false;
        }
        if (!p.nick) return false; // a copy without <nick>: no information (names may be hidden)
        const bool in_sync = *view == occ.nick;
        *view = p.nick;
        if (!in_sync || p.nick == occ.nick) return false;
        // `c` becomes authoritative; the old one keeps a view: the name it showed last.
        std::erase_if(occ.views, [&c](const auto& v) { return v.first == &c; });
        if (occ.auth) occ.views.emplace_back(occ.auth.get(), occ.nick);
        return true;
    }

    void on_unavailable(const std::string& room_jid, Room& room, Watcher& w, const ConnPtr& c,
                        std::string_view resource, const PresenceView& p, TimePoint now,
                        Events& out)
    {
        // The server has let a ghost go. Other streams may still have older copies of it in
        // flight (a newcomer's roster made before this unavailable): they get tombstones, as
        // for any leave, each ended by that stream's own copy of this unavailable.
        const auto g = room.ghosts.find(resource);
        const bool ghost = g != room.ghosts.end();
        if (ghost) {
            room.ghosts.erase(g);
            tombstone(room, resource, c.get(), nullptr);
        }
        if (auto t = w.tombstones.find(resource); t != w.tombstones.end()) {
            const bool live = now < t->second;
            w.tombstones.erase(t);
            if (live) return; // this stream has caught up with that leave
        }
        if (ghost) return;
        auto it = room.occupants.find(resource);
        if (it == room.occupants.end()) {
            if (!w.member && w.own_resource == resource) drop_watcher(room_jid, *c, now, out);
            return;
        }
        // XEP-0045 §7.6: a nickname change is an unavailable with 303 and the new nick.
        if (p.has_code(303) && !p.item.nick.empty() && p.item.nick != resource &&
            room.occupants.find(p.item.nick) == room.occupants.end()) {
            rename(room_jid, room, it, p.item.nick, c.get(), now, out);
            return;
        }
        const ConnPtr owner =
            leave_occupant(room, room_jid, it, leave_reason(p), c.get(), now, out);
        if (owner) drop_watcher(room_jid, *owner, now, out);
    }

    void rename(const std::string& room_jid, Room& room, StringMap<Occupant>::iterator it,
                std::string_view new_resource, const Conn* seen_by, TimePoint now, Events& out)
    {
        const std::string old_resource = it->first;
        Occupant occ = std::move(it->second);
        room.occupants.erase(it);
        Event e = make_event(EventKind::nick_change, room_jid, new_resource, occ, now);
        e.old_nick = occ.nick;
        e.old_occupant = old_resource;
        out.push_back(std::move(e));
        tombstone(room, old_resource, seen_by, occ.own.get());
        if (occ.own) watch(room, room_jid, occ.own, new_resource);
        room.occupants.emplace(std::string(new_resource), std::move(occ));
    }

    // The server refused or ended a join before it completed (XEP-0045 §7.2.6 ff.).
    void end_pending(const ConnPtr& c, std::string_view room_jid, std::string_view resource,
                     TimePoint now, Events& out)
    {
        auto rit = rooms.find(room_jid);
        if (rit == rooms.end()) return;
        Room& room = rit->second;
        auto wit = room.watchers.find(c.get());
        if (wit == room.watchers.end() || wit->second.own_resource != resource) return;
        if (wit->second.member) {
            // A member only by an unconfirmed claim: the occupant it claimed is someone else.
            auto oit = room.occupants.find(resource);
            if (oit == room.occupants.end() || oit->second.own != c || oit->second.confirmed)
                return;
        }
        drop_watcher(rit->first, *c, now, out);
    }

    void client_presence(const ConnPtr& c, const ClientPresenceView& p)
    {
        // A join request (XEP-0045 §7.2.2) makes the join pending; nothing is logged yet.
        if (!p.type.empty() || !p.muc_join) return;
        const auto [room_part, resource] = split_jid(p.to);
        if (room_part.empty() || resource.empty() || ignored(resource, {})) return;
        auto rit = rooms.find(room_part);
        const Watcher* w = nullptr;
        if (rit != rooms.end()) {
            if (auto wit = rit->second.watchers.find(c.get()); wit != rit->second.watchers.end())
                w = &wit->second;
        }
        if (w && w->member) return;
        if (!w && c->rooms.size() >= options.max_rooms_per_conn) {
            ++ignored_join_requests;
            return;
        }
        if (rit == rooms.end()) rit = rooms.try_emplace(std::string(room_part)).first;
        watch(rit->second, rit->first, c, resource);
    }

    void set_bound(const ConnPtr& c, std::string_view jid)
    {
        if (!c->bound_jid.empty()) {
            if (auto it = by_bound_jid.find(c->bound_jid);
                it != by_bound_jid.end() && it->second == c)
                by_bound_jid.erase(it);
        }
        c->bound_jid = std::string(jid);
        if (!c->bound_jid.empty()) by_bound_jid.insert_or_assign(c->bound_jid, c);
    }
};

Tracker::Tracker(TrackerOptions options) : state_(std::make_unique<State>())
{
    state_->options = std::move(options);
}

Tracker::~Tracker() = default;

void Tracker::open_conn(const ConnInfo& info)
{
    state_->conn(info.id)->info = info;
}

void Tracker::set_bound_jid(std::string_view conn, std::string_view full_jid)
{
    state_->set_bound(state_->conn(conn), full_jid);
}

void Tracker::client_stanza(std::string_view conn, const pugi::xml_node& stanza, TimePoint, Events&)
{
    if (auto p = read_client_presence(stanza)) state_->client_presence(state_->conn(conn), *p);
}

void Tracker::server_stanza(std::string_view conn, const pugi::xml_node& stanza, TimePoint now,
                            Events& out)
{
    // The connection is looked up only for what changes it: most stanzas (Jingle, messages)
    // are neither.
    if (auto jid = bind_result_jid(stanza)) {
        state_->set_bound(state_->conn(conn), *jid);
        return;
    }
    if (auto p = read_presence(stanza)) state_->server_presence(state_->conn(conn), *p, now, out);
}

void Tracker::close_conn(std::string_view conn, LeaveReason reason, TimePoint now, Events& out)
{
    auto& s = *state_;
    auto cit = s.conns.find(conn);
    if (cit == s.conns.end()) return;
    const ConnPtr c = cit->second;
    s.conns.erase(cit);
    // Taken, not copied: drop_watcher then has nothing to search in c->rooms.
    const auto watched = std::exchange(c->rooms, {});
    // First the connection's own occupants, then the rooms it watched (hand-over, unobserved).
    for (const auto& room_jid : watched) {
        auto rit = s.rooms.find(room_jid);
        if (rit == s.rooms.end()) continue;
        Room& room = rit->second;
        auto wit = room.watchers.find(c.get());
        if (wit == room.watchers.end() || !wit->second.member) continue;
        // Unconfirmed claims are not ended here: drop_watcher turns them back to observed.
        auto oit = room.occupants.find(wit->second.own_resource);
        if (oit != room.occupants.end() && oit->second.own == c && oit->second.confirmed) {
            room.ghosts.insert_or_assign(oit->first, now + ghost_ttl);
            s.leave_occupant(room, room_jid, oit, reason, c.get(), now, out);
        }
    }
    for (const auto& room_jid : watched) s.drop_watcher(room_jid, *c, now, out);
    if (!c->bound_jid.empty()) {
        if (auto it = s.by_bound_jid.find(c->bound_jid);
            it != s.by_bound_jid.end() && it->second == c)
            s.by_bound_jid.erase(it);
    }
}

void Tracker::move_conn(std::string_view old_conn, std::string_view new_conn)
{
    auto& s = *state_;
    if (old_conn == new_conn) return;
    auto oit = s.conns.find(old_conn);
    if (oit == s.conns.end()) return;
    const ConnPtr oc = oit->second;
    s.conns.erase(oit);
    // XEP-0198 §5: a resuming stream binds nothing and joins nothing before <resumed/>, so the
    // new connection contributes only its transport details.
    if (auto nit = s.conns.find(new_conn); nit != s.conns.end()) {
        const ConnPtr nc = nit->second;
        oc->info = nc->info;
        // A client that sent a join request before <resumed/> (which §5 does not allow) made
        // the new connection watch rooms; hand them to the resumed one, or its end would leave
        // them watched for ever (no `unobserved`, the room never freed).
        for (const auto& room_jid : std::exchange(nc->rooms, {})) {
            auto rit = s.rooms.find(room_jid);
            if (rit == s.rooms.end()) continue;
            Room& room = rit->second;
            auto node = room.watchers.extract(nc.get());
            if (node.empty()) continue;
            Watcher moved = std::move(node.mapped());
            State::forget_own_resource(room, moved.own_resource, nc.get());
            for (auto& [resource, occ] : room.occupants) {
                if (occ.own == nc) occ.own = oc;
                if (occ.auth == nc) occ.auth = oc;
            }
            auto [wit, inserted] = room.watchers.try_emplace(oc.get());
            if (!inserted) continue; // the resumed connection's own relation to the room stands
            moved.conn = oc;
            wit->second = std::move(moved);
            oc->rooms.push_back(room_jid);
            if (!wit->second.own_resource.empty())
                room.by_own_resource.insert_or_assign(wit->second.own_resource, oc.get());
        }
        if (!nc->bound_jid.empty()) {
            const std::string jid = nc->bound_jid;
            s.set_bound(nc, {});
            if (oc->bound_jid.empty()) s.set_bound(oc, jid);
        }
        s.conns.erase(nit);
    }
    oc->info.id = std::string(new_conn);
    s.conns.insert_or_assign(oc->info.id, oc);
}

void Tracker::shutdown(TimePoint now, Events& out)
{
    auto& s = *state_;
    std::vector<std::string> names;
    names.reserve(s.rooms.size());
    for (const auto& [name, room] : s.rooms) names.push_back(name);
    std::sort(names.begin(), names.end());
    for (const auto& name : names)
        s.close_all(name, s.rooms.find(name)->second, LeaveReason::shutdown, now, out);
    s.rooms.clear();
    for (auto& [id, c] : s.conns) c->rooms.clear();
}

std::size_t Tracker::open_occupants() const
{
    return state_->occupant_count;
}
std::size_t Tracker::open_rooms() const
{
    return state_->rooms.size();
}
std::size_t Tracker::open_conns() const
{
    return state_->conns.size();
}
std::size_t Tracker::ignored_join_requests() const
{
    return state_->ignored_join_requests;
}

std::vector<RoomView> Tracker::rooms() const
{
    std::vector<RoomView> views;
    for (const auto& [name, room] : state_->rooms) {
        if (room.occupants.empty()) continue;
        RoomView& view = views.emplace_back();
        view.room = name;
        std::vector<std::pair<std::uint64_t, OccupantView>> ordered;
        for (const auto& [resource, occ] : room.occupants) {
            const Event e = State::make_event(EventKind::join, name, resource, occ, occ.joined);
            ordered.emplace_back(occ.seq,
                                 OccupantView{resource, occ.nick, e.jid, occ.source, e.conn,
                                              occ.joined});
        }
        std::sort(ordered.begin(), ordered.end(),
                  [](const auto& a, const auto& b) { return a.first < b.first; });
        for (auto& [seq, occupant] : ordered) view.occupants.push_back(std::move(occupant));
    }
    std::sort(views.begin(), views.end(),
              [](const RoomView& a, const RoomView& b) { return a.room < b.room; });
    return views;
}

} // namespace boshtap::core
