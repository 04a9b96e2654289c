#include "boshtap/core/bosh_tap.hpp"

#include "namespaces.hpp"
#include "string_map.hpp"
#include "xml.hpp"

#include <boost/unordered/unordered_flat_map.hpp>

#include <algorithm>
#include <charconv>
#include <deque>
#include <optional>
#include <vector>

// Session bookkeeping as in docs/architecture.md, "BOSH (BoshTap)". XEP-0124 references:
// §7.1 session creation, §14 request ids (order, retransmission), §17 errors and terminate.

namespace boshtap::core {

namespace {

// A parsed body with its text (a held one must outlive the caller's buffer). One spare is
// kept and reused for the next body (State::parse_body / recycle): most bodies are processed at
// once, and a reused Document parses without allocating.
using Doc = std::unique_ptr<xml::Document>;

// Bodies up to this size leave their Document as the spare; a larger buffer is not kept.
constexpr std::size_t max_spare_capacity = 64 * 1024;

// Answered rids stay known this far below the next expected rid, so that a retransmission
// (XEP-0124 §14.3: only within the client's 'requests' window) is recognised.
constexpr std::uint64_t rid_memory = 32;
// §14.1: a client never lets a rid exceed 2^53 - 1 (so rid + 1 never overflows here). A request
// further than this above the next expected rid is not part of the client's window (§14.2: the
// 'requests' window, 2 for Openfire, 5 for Prosody; the server refuses it with item-not-found).
// Refusing it on arrival keeps the held rids, and what one forged rid can hold back, bounded.
constexpr std::uint64_t max_rid = (std::uint64_t{1} << 53) - 1;
constexpr std::uint64_t rid_window = 1024;

enum class Answer { awaiting, ready, processed, failed };

struct Slot {
    Doc held_request; // arrived above a gap, not processed yet
    Doc response;     // arrived before a lower rid's answer, not processed yet
    Answer answer = Answer::awaiting;
    TimePoint deadline{};
    bool terminate = false;     // the client's request ended the session (type='terminate')
    bool retransmitted = false; // the same rid came again: that exchange may still be answered
};

// A session's slots by rid, in rid order: the last rid_memory answered ones and those still
// open, a few dozen. Rids come in order almost always, so a slot is added at the back and
// dropped at the front: a deque of them costs no allocation per request, where a map allocated
// a node for each.
class Slots {
public:
    using Entry = std::pair<std::uint64_t, Slot>;
    using iterator = std::deque<Entry>::iterator;

    iterator begin() noexcept { return v_.begin(); }
    iterator end() noexcept { return v_.end(); }
    auto begin() const noexcept { return v_.begin(); }
    auto end() const noexcept { return v_.end(); }
    bool empty() const noexcept { return v_.empty(); }
    iterator erase(iterator it) { return v_.erase(it); }

    iterator lower_bound(std::uint64_t rid)
    {
        if (v_.empty() || rid <= v_.front().first) return v_.begin();
        if (rid > v_.back().first) return v_.end();
        // The rids held are nearly always consecutive: then `rid` sits at its distance from the
        // front, found without a binary search (each step of one over a deque divides).
        const auto at = rid - v_.front().first;
        if (at < v_.size() && v_[at].first == rid)
            return v_.begin() + static_cast<std::ptrdiff_t>(at);
        return std::lower_bound(v_.begin(), v_.end(), rid,
                                [](const Entry& e, std::uint64_t r) { return e.first < r; });
    }
    iterator find(std::uint64_t rid)
    {
        const auto it = lower_bound(rid);
        return it != v_.end() && it->first == rid ? it : v_.end();
    }
    // The slot of `rid`, made if it has none.
    Slot& operator[](std::uint64_t rid)
    {
        if (v_.empty() || v_.back().first < rid) return v_.emplace_back(rid, Slot{}).second;
        auto it = lower_bound(rid);
        if (it == v_.end() || it->first != rid) it = v_.emplace(it, rid, Slot{});
        return it->second;
    }

private:
    std::deque<Entry> v_;
};

struct Session {
    std::string sid;
    std::uint64_t next_rid = 0; // lowest rid whose request stanzas are not processed yet
    bool rid_unknown = false;   // created with a rid past §14.1: the next request sets next_rid
    Duration wait{};
    Duration inactivity{};
    TimePoint last_request{};
    Slots slots;
    // Every slot below this rid is processed (final): drain_responses starts here instead of
    // stepping over the answered rids kept for retransmissions.
    std::uint64_t processed_below = 0;
    // Its open exchanges: a client has one or two at a time (XEP-0124 'hold', 'requests'), so
    // a vector beats a hash set's node per request.
    std::vector<BoshTap::ExchangeId> exchanges;

    void add_exchange(BoshTap::ExchangeId id)
    {
        if (std::find(exchanges.begin(), exchanges.end(), id) == exchanges.end())
            exchanges.push_back(id);
    }
    void remove_exchange(BoshTap::ExchangeId id)
    {
        if (auto it = std::find(exchanges.begin(), exchanges.end(), id); it != exchanges.end()) {
            *it = exchanges.back();
            exchanges.pop_back();
        }
    }
    bool closed = false;
};

struct Exchange {
    // Null: a session creation request. Never dangling: erase_session turns every exchange of
    // the session it erases into an ignored one, which has none.
    Session* session = nullptr;
    std::uint64_t rid = 0;
    bool retransmission = false;
    HttpMeta meta; // kept for session creation only
    TimePoint deadline{};
    // Nothing to learn from the answer: the request was refused here or its session has ended
    // (the long-poll a terminate releases). The answer is expected, not a stale exchange.
    bool ignored = false;
};

std::optional<std::uint64_t> parse_u64(std::string_view s)
{
    std::uint64_t v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size() || s.empty()) return std::nullopt;
    return v;
}

Duration seconds_attr(const pugi::xml_node& body, const char* name, Duration fallback)
{
    const auto v = parse_u64(xml::attr(body, name));
    // Anything beyond a day is not a BOSH timer; keep the arithmetic far from overflow.
    if (!v || *v > 86400) return fallback;
    return std::chrono::seconds(*v);
}

bool is_terminate(const pugi::xml_node& body)
{
    return xml::attr(body, "type") == "terminate";
}

} // namespace

struct BoshTap::State {
    Tracker& tracker;
    BoshOptions options;
    StringMap<Session> sessions;
    // Open addressing: an exchange comes and goes with every request, and a node-based map
    // allocated one each time. Nothing keeps a reference into it across an insert or erase.
    boost::unordered_flat_map<ExchangeId, Exchange> exchanges;
    // No deadline is earlier than this: tick() walks the sessions only once it has passed
    // (it used to walk every session and slot every second). Every deadline set lowers it; a
    // deadline that moves later (a request pushes the silence deadline out) leaves it low,
    // which costs one walk too many, never a missed one.
    TimePoint next_due = TimePoint::max();

    Doc spare; // see Doc

    State(Tracker& t, BoshOptions o) : tracker(t), options(o) {}

    void recycle(Doc doc)
    {
        if (doc && !spare && doc->capacity() <= max_spare_capacity) spare = std::move(doc);
    }

    Doc parse_body(std::string_view text, TapIssue& issue)
    {
        Doc doc = spare ? std::move(spare) : std::make_unique<xml::Document>();
        if (!doc->parse(text)) {
            issue = TapIssue::not_xml;
        } else if (!xml::is(doc->root(), ns::httpbind, "body")) {
            issue = TapIssue::not_bosh_body;
        } else {
            return doc;
        }
        recycle(std::move(doc));
        return nullptr;
    }

    void due_by(TimePoint t) { next_due = std::min(next_due, t); }

    void close(Session& s, LeaveReason reason, TimePoint now, Events& out)
    {
        if (s.closed) return;
        s.closed = true;
        tracker.close_conn(s.sid, reason, now, out);
    }

    StringMap<Session>::iterator erase_session(StringMap<Session>::iterator it, TimePoint now)
    {
        for (const auto id : it->second.exchanges) ignore(id, it->second.wait, now);
        return sessions.erase(it);
    }

    // Kept until its answer or failure comes, or its wait has passed (then forgotten, so a lost
    // outcome holds no memory).
    void ignore(std::uint64_t id, Duration wait, TimePoint now)
    {
        Exchange ex;
        ex.ignored = true;
        ex.deadline = now + wait + options.response_margin;
        due_by(ex.deadline);
        exchanges.insert_or_assign(id, std::move(ex));
    }

    void feed_request(Session& s, Slot& slot, const pugi::xml_node& body, TimePoint now,
                      Events& out)
    {
        for (const auto& stanza : body.children()) {
            if (stanza.type() == pugi::node_element) tracker.client_stanza(s.sid, stanza, now, out);
        }
        if (is_terminate(body)) slot.terminate = true;
    }

    // Processes held requests in rid order: every one up to `upto` (the server answered it, so
    // it has moved past any gap below), then each consecutive one from next_rid.
    void release_requests(Session& s, std::optional<std::uint64_t> upto, TimePoint now, Events& out)
    {
        for (auto it = s.slots.lower_bound(s.next_rid); it != s.slots.end(); ++it) {
            const auto rid = it->first;
            if (rid != s.next_rid && !(upto && rid <= *upto)) break;
            Slot& slot = it->second;
            if (slot.held_request) {
                Doc doc = std::move(slot.held_request);
                feed_request(s, slot, doc->root(), now, out);
                recycle(std::move(doc));
            }
            s.next_rid = rid + 1;
        }
    }

    void process_response(Session& s, Slot& slot, TimePoint now, Events& out)
    {
        Doc doc = std::move(slot.response);
        slot.answer = Answer::processed;
        const auto body = doc->root();
        for (const auto& stanza : body.children()) {
            if (stanza.type() == pugi::node_element) tracker.server_stanza(s.sid, stanza, now, out);
        }
        // §17.1 (terminate with or without a condition) after its stanzas; or the answer to the
        // client's own terminate request.
        if (is_terminate(body) || slot.terminate) close(s, LeaveReason::terminated, now, out);
        recycle(std::move(doc));
    }

    // Responses in rid order: stop at the first rid that is seen and still unanswered.
    void drain_responses(Session& s, TimePoint now, Events& out)
    {
        bool prefix = true;
        for (auto it = s.slots.lower_bound(s.processed_below); it != s.slots.end(); ++it) {
            auto& [rid, slot] = *it;
            if (s.closed || slot.answer == Answer::awaiting) break;
            if (slot.answer == Answer::ready) process_response(s, slot, now, out);
            if (prefix && slot.answer == Answer::processed)
                s.processed_below = rid + 1;
            else
                prefix = false;
        }
        while (!s.slots.empty()) {
            const auto& [rid, slot] = *s.slots.begin();
            if (rid + rid_memory >= s.next_rid || slot.answer == Answer::awaiting ||
                slot.answer == Answer::ready || slot.held_request)
                break;
            s.slots.erase(s.slots.begin());
        }
    }

    void answered(Session& s, const Exchange& ex, Doc& doc, TimePoint now, Events& out)
    {
        auto it = s.slots.find(ex.rid);
        if (it == s.slots.end()) return; // long forgotten
        Slot& slot = it->second;
        // The original's answer and the server's replay of it (§14.3) are the same stanzas.
        if (slot.answer == Answer::ready || slot.answer == Answer::processed) return;
        slot.response = std::move(doc);
        slot.answer = Answer::ready;
        release_requests(s, ex.rid, now, out);
        drain_responses(s, now, out);
    }

    // `refused`: the server answered with an error status, so it did not take the request.
    void failed(Session& s, const Exchange& ex, bool refused, TimePoint now, Events& out)
    {
        if (ex.retransmission) return; // the original exchange may still be answered
        auto it = s.slots.find(ex.rid);
        if (it == s.slots.end() || it->second.answer != Answer::awaiting) return;
        if (refused && it->second.held_request) {
            // Held above a gap and refused: the server has not moved past the gap, so this
            // request must neither be processed nor move next_rid. Unless the same rid came
            // again (that exchange may still succeed), the rid is free for the real request.
            if (!it->second.retransmitted) {
                s.slots.erase(it);
                drain_responses(s, now, out);
                return;
            }
            it->second.held_request.reset();
        }
        it->second.answer = Answer::failed;
        if (it->second.terminate)
            close(s, LeaveReason::terminated, now, out);
        else
            drain_responses(s, now, out);
    }

    TapIssue create_session(const Exchange& ex, unsigned status, std::string_view text,
                            TimePoint now, Events& out)
    {
        if (status < 200 || status >= 300) return TapIssue::none;
        TapIssue issue = TapIssue::none;
        Doc doc = parse_body(text, issue);
        if (!doc) return issue;
        const TapIssue result = create_session(ex, doc->root(), now, out);
        recycle(std::move(doc));
        return result;
    }

    TapIssue create_session(const Exchange& ex, const pugi::xml_node& body, TimePoint now,
                            Events& out)
    {
        const std::string_view sid = xml::attr(body, "sid");
        if (sid.empty() || is_terminate(body))
            return sid.empty() ? TapIssue::not_bosh_body : TapIssue::none;
        auto [it, inserted] = sessions.try_emplace(std::string(sid));
        if (!inserted) return TapIssue::none;
        Session& s = it->second;
        s.sid = it->first;
        // A client past §14.1 cannot go on counting; follow whatever it sends next.
        if (ex.rid >= max_rid)
            s.rid_unknown = true;
        else
            s.next_rid = ex.rid + 1;
        s.wait = seconds_attr(body, "wait", options.default_wait);
        s.inactivity = seconds_attr(body, "inactivity", options.default_inactivity);
        s.last_request = now;
        due_by(silence_deadline(s));
        tracker.open_conn(ConnInfo{s.sid, Transport::bosh, ex.meta.client_ip, ex.meta.user_agent});
        for (const auto& stanza : body.children()) {
            if (stanza.type() == pugi::node_element) tracker.server_stanza(s.sid, stanza, now, out);
        }
        return TapIssue::none;
    }

    void expire(Session& s, TimePoint now, Events& out)
    {
        // A request still held at its deadline has had no 2xx answer (one would have released
        // it, see answered()): nothing shows that the server took it or moved past the gap
        // below it. Releasing it would move next_rid past rids the real client has yet to send
        // (a forged far rid would blind the session). Drop it instead; unless the rid came
        // again, forget the rid so that the real request with it is processed.
        for (auto it = s.slots.begin(); it != s.slots.end();) {
            Slot& slot = it->second;
            if (!slot.held_request || slot.deadline > now) {
                ++it;
            } else if (slot.retransmitted) {
                slot.held_request.reset();
                ++it;
            } else {
                it = s.slots.erase(it);
            }
        }
        bool terminate = false;
        for (auto& [rid, slot] : s.slots) {
            if (slot.answer == Answer::awaiting && slot.deadline <= now) {
                slot.answer = Answer::failed;
                terminate = terminate || slot.terminate;
            }
        }
        if (terminate)
            close(s, LeaveReason::terminated, now, out);
        else
            drain_responses(s, now, out);
    }

    TimePoint silence_deadline(const Session& s) const
    {
        return s.last_request + s.inactivity + s.wait + options.silence_margin;
    }
};

BoshTap::BoshTap(Tracker& tracker, BoshOptions options)
    : state_(std::make_unique<State>(tracker, options))
{
}

BoshTap::~BoshTap() = default;

TapIssue BoshTap::on_request(ExchangeId id, const HttpMeta& meta, std::string_view text,
                             TimePoint now, Events& out)
{
    const TapIssue issue = take_request(id, meta, text, now, out);
    if (issue != TapIssue::none) state_->ignore(id, state_->options.default_wait, now);
    return issue;
}

TapIssue BoshTap::take_request(ExchangeId id, const HttpMeta& meta, std::string_view text,
                               TimePoint now, Events& out)
{
    auto& st = *state_;
    TapIssue issue = TapIssue::none;
    Doc doc = st.parse_body(text, issue);
    if (!doc) return issue;
    // Whatever happens below, a Document not held becomes the spare again.
    struct Recycle {
        State& st;
        Doc& doc;
        ~Recycle() { st.recycle(std::move(doc)); }
    } recycle{st, doc};
    const auto body = doc->root();
    const auto rid = parse_u64(xml::attr(body, "rid"));
    if (!rid) return TapIssue::not_bosh_body; // §7.1: every request carries a rid
    const std::string_view sid = xml::attr(body, "sid");
    // §14.1 bounds rids; a creation request is let through (the server decides, see
    // create_session).
    if (*rid > max_rid && !sid.empty()) return TapIssue::rid_out_of_window;
    if (sid.empty()) {
        st.due_by(now + st.options.default_wait + st.options.response_margin);
        st.exchanges.insert_or_assign(
            id,
            Exchange{
                {}, *rid, false, meta, now + st.options.default_wait + st.options.response_margin});
        return TapIssue::none;
    }
    auto sit = st.sessions.find(sid);
    if (sit == st.sessions.end()) return TapIssue::unknown_sid;
    Session& s = sit->second;
    if (s.rid_unknown) {
        s.next_rid = *rid;
        s.rid_unknown = false;
    }
    // Outside the window: not a request the server will process (§14.2), nor one that may hold
    // anything back here. Its answer, if any, is ignored.
    if (*rid > s.next_rid + rid_window) return TapIssue::rid_out_of_window;
    s.last_request = now;
    st.due_by(st.silence_deadline(s)); // later than the bound unless time went backwards
    s.add_exchange(id);
    Exchange ex{&s, *rid, false, {}, now + s.wait + st.options.response_margin};
    if (auto held = s.slots.find(*rid); *rid < s.next_rid || held != s.slots.end()) {
        ex.retransmission = true; // §14.3: its stanzas were (or will be) processed once
        if (held != s.slots.end()) held->second.retransmitted = true;
        st.exchanges.insert_or_assign(id, std::move(ex));
        return TapIssue::none;
    }
    Slot& slot = s.slots[*rid];
    slot.deadline = ex.deadline;
    st.due_by(slot.deadline);
    st.exchanges.insert_or_assign(id, std::move(ex));
    if (*rid == s.next_rid) {
        st.feed_request(s, slot, body, now, out);
        s.next_rid = *rid + 1;
        st.release_requests(s, std::nullopt, now, out);
    } else {
        slot.held_request = std::move(doc); // waits for the gap below it
    }
    return TapIssue::none;
}

TapIssue BoshTap::on_response(ExchangeId id, unsigned status, std::string_view text, TimePoint now,
                              Events& out)
{
    auto& st = *state_;
    auto eit = st.exchanges.find(id);
    if (eit == st.exchanges.end()) return TapIssue::stale_exchange;
    const Exchange ex = std::move(eit->second);
    st.exchanges.erase(eit);
    if (ex.ignored) return TapIssue::none;
    if (!ex.session) return st.create_session(ex, status, text, now, out);
    Session& s = *ex.session;
    s.remove_exchange(id);
    TapIssue issue = TapIssue::none;
    if (status == 404) {
        // Openfire and Prosody answer an unknown or expired sid with 404 (§17.2 legacy codes).
        st.close(s, LeaveReason::terminated, now, out);
    } else if (status < 200 || status >= 300) {
        st.failed(s, ex, true, now, out);
    } else if (Doc doc = st.parse_body(text, issue)) {
        st.answered(s, ex, doc, now, out);
        st.recycle(std::move(doc)); // not kept (already answered, long forgotten)
    } else {
        st.failed(s, ex, false, now, out); // taken by the server, unreadable here
    }
    if (s.closed) st.erase_session(st.sessions.find(s.sid), now);
    return issue;
}

void BoshTap::on_failed(ExchangeId id, TimePoint now, Events& out)
{
    auto& st = *state_;
    auto eit = st.exchanges.find(id);
    if (eit == st.exchanges.end()) return;
    const Exchange ex = std::move(eit->second);
    st.exchanges.erase(eit);
    if (ex.ignored || !ex.session) return;
    Session& s = *ex.session;
    s.remove_exchange(id);
    st.failed(s, ex, false, now, out); // the server may have taken it
    if (s.closed) st.erase_session(st.sessions.find(s.sid), now);
}

void BoshTap::tick(TimePoint now, Events& out)
{
    auto& st = *state_;
    if (now < st.next_due) return; // nothing can be due yet
    for (auto it = st.sessions.begin(); it != st.sessions.end();) {
        Session& s = it->second;
        if (now >= st.silence_deadline(s))
            st.close(s, LeaveReason::timeout, now, out);
        else
            st.expire(s, now, out);
        it = s.closed ? st.erase_session(it, now) : std::next(it);
    }
    // Creation requests that were never answered; ignored exchanges whose outcome never came.
    boost::unordered::erase_if(st.exchanges, [now](const auto& kv) {
        return (!kv.second.session || kv.second.ignored) && kv.second.deadline <= now;
    });
    st.next_due = next_deadline().value_or(TimePoint::max());
}

std::optional<TimePoint> BoshTap::next_deadline() const
{
    const auto& st = *state_;
    std::optional<TimePoint> next;
    const auto consider = [&next](TimePoint t) {
        if (!next || t < *next) next = t;
    };
    for (const auto& [sid, s] : st.sessions) {
        consider(st.silence_deadline(s));
        for (const auto& [rid, slot] : s.slots) {
            if (slot.held_request || slot.answer == Answer::awaiting) consider(slot.deadline);
        }
    }
    for (const auto& [id, ex] : st.exchanges) {
        if (!ex.session || ex.ignored) consider(ex.deadline);
    }
    return next;
}

std::size_t BoshTap::open_sessions() const
{
    return state_->sessions.size();
}

} // namespace boshtap::core
