#include "boshtap/core/ws_tap.hpp"

#include "namespaces.hpp"
#include "query.hpp"
#include "string_map.hpp"
#include "xml.hpp"

#include <algorithm>
#include <vector>

// RFC 7395 framing and XEP-0198 resumption, as in docs/architecture.md, "WebSocket (WsTap)".

namespace boshtap::core {

namespace {

struct WsConn {
    std::optional<std::string> previd; // ?previd= on the upgrade: this socket wants to resume
    std::string token;                 // XEP-0198 §5 id from <enabled resume='true'/>
    bool closing = false;              // <close/> seen either way (RFC 7395 §3.6)
    bool dropped = false;              // socket gone, waiting for a resume
    TimePoint expires{};
};

bool is_sm(const pugi::xml_node& node, std::string_view local)
{
    return xml::is(node, ns::sm3, local) || xml::is(node, ns::sm2, local);
}

bool is_true(std::string_view v)
{
    return v == "true" || v == "1"; // xs:boolean
}

} // namespace

struct WsTap::State {
    Tracker& tracker;
    WsOptions options;
    StringMap<WsConn> conns;
    StringMap<std::string> by_token;
    // Reused for every message (its buffer too, up to max_kept_capacity): nothing is held.
    std::unique_ptr<xml::Document> doc = std::make_unique<xml::Document>();

    static constexpr std::size_t max_kept_capacity = 64 * 1024;

    State(Tracker& t, WsOptions o) : tracker(t), options(o) {}

    void forget(StringMap<WsConn>::iterator it)
    {
        if (!it->second.token.empty()) {
            if (auto t = by_token.find(it->second.token);
                t != by_token.end() && t->second == it->first)
                by_token.erase(t);
        }
        conns.erase(it);
    }

    void resumed(const std::string& conn, WsConn& c, std::string_view previd)
    {
        auto t = by_token.find(previd);
        if (t == by_token.end() || t->second == conn) return;
        // The upgrade's ?previd=, when present, must name the same session.
        if (c.previd && *c.previd != previd) return;
        const std::string old = t->second;
        tracker.move_conn(old, conn);
        if (auto o = conns.find(old); o != conns.end()) conns.erase(o);
        c.token = std::string(previd); // the resumed session keeps its id for the next resume
        t->second = conn;
    }
};

WsTap::WsTap(Tracker& tracker, WsOptions options)
    : state_(std::make_unique<State>(tracker, options))
{
}

WsTap::~WsTap() = default;

void WsTap::on_open(std::string_view conn, const HttpMeta& meta, TimePoint)
{
    auto& st = *state_;
    WsConn c;
    c.previd = query_param(meta.target, "previd");
    st.conns.insert_or_assign(std::string(conn), std::move(c));
    st.tracker.open_conn(
        ConnInfo{std::string(conn), Transport::websocket, meta.client_ip, meta.user_agent});
}

TapIssue WsTap::on_message(std::string_view conn, Direction dir, std::string_view payload,
                           TimePoint now, Events& out)
{
    auto& st = *state_;
    auto it = st.conns.find(conn);
    if (it == st.conns.end() || it->second.dropped) return TapIssue::unknown_sid;
    if (st.doc->capacity() > State::max_kept_capacity) st.doc = std::make_unique<xml::Document>();
    if (!st.doc->parse(payload)) return TapIssue::not_xml;
    const auto root = st.doc->root();
    WsConn& c = it->second;
    if (xml::namespace_of(root) == ns::framing) {
        if (xml::local_name(root) == "close") c.closing = true;
        return TapIssue::none;
    }
    if (dir == Direction::server_to_client) {
        if (is_sm(root, "enabled")) {
            const std::string_view id = xml::attr(root, "id");
            if (is_true(xml::attr(root, "resume")) && !id.empty()) {
                c.token = std::string(id);
                st.by_token.insert_or_assign(c.token, it->first);
            }
        } else if (is_sm(root, "resumed")) {
            st.resumed(it->first, c, xml::attr(root, "previd"));
        } else {
            st.tracker.server_stanza(conn, root, now, out);
        }
    } else if (!is_sm(root, "enable") && !is_sm(root, "resume")) {
        st.tracker.client_stanza(conn, root, now, out);
    }
    return TapIssue::none;
}

void WsTap::on_closed(std::string_view conn, TimePoint now, Events& out)
{
    auto& st = *state_;
    auto it = st.conns.find(conn);
    if (it == st.conns.end() || it->second.dropped) return;
    WsConn& c = it->second;
    if (c.closing || c.token.empty()) {
        st.tracker.close_conn(conn, c.closing ? LeaveReason::terminated : LeaveReason::disconnected,
                              now, out);
        st.forget(it);
        return;
    }
    c.dropped = true; // the server keeps the session for a while (XEP-0198 §5)
    c.expires = now + st.options.resume_window;
}

void WsTap::tick(TimePoint now, Events& out)
{
    auto& st = *state_;
    std::vector<std::string> expired;
    for (const auto& [id, c] : st.conns) {
        if (c.dropped && c.expires <= now) expired.push_back(id);
    }
    std::sort(expired.begin(), expired.end()); // deterministic order of the leaves
    for (const auto& id : expired) {
        st.tracker.close_conn(id, LeaveReason::disconnected, now, out);
        st.forget(st.conns.find(id));
    }
}

std::optional<TimePoint> WsTap::next_deadline() const
{
    std::optional<TimePoint> next;
    for (const auto& [id, c] : state_->conns) {
        if (c.dropped && (!next || c.expires < *next)) next = c.expires;
    }
    return next;
}

std::size_t WsTap::open_connections() const
{
    return state_->conns.size();
}

} // namespace boshtap::core
