#include "boshtap/core/replay.hpp"

#include "boshtap/core/bosh_tap.hpp"
#include "boshtap/core/tracker.hpp"
#include "boshtap/core/ws_tap.hpp"
#include "namespaces.hpp"
#include "query.hpp"
#include "xml.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <string>

namespace boshtap::core {

namespace {

std::string lower(std::string_view s)
{
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string_view trim(std::string_view s)
{
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

// A raw HTTP request head: request line, then "Name: value" lines.
struct HttpHead {
    std::string target;
    bool upgrade_websocket = false;
    HttpMeta meta;
};

HttpHead read_head(std::string_view text)
{
    HttpHead head;
    bool first = true;
    while (!text.empty()) {
        const auto nl = text.find('\n');
        const auto line = trim(text.substr(0, nl));
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
        if (first) {
            first = false;
            const auto sp = line.find(' ');
            if (sp == std::string_view::npos) continue;
            const auto target = line.substr(sp + 1);
            head.target = std::string(target.substr(0, target.find(' ')));
            continue;
        }
        const auto colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        const auto name = lower(trim(line.substr(0, colon)));
        const auto value = trim(line.substr(colon + 1));
        if (name == "upgrade")
            head.upgrade_websocket = lower(value) == "websocket";
        else if (name == "x-forwarded-for")
            head.meta.client_ip = std::string(trim(value.substr(0, value.find(','))));
        else if (name == "user-agent")
            head.meta.user_agent = std::string(value);
    }
    head.meta.target = head.target;
    return head;
}

unsigned status_of(const TranscriptSection& s)
{
    unsigned status = 200;
    const auto& l = s.request_line;
    std::from_chars(l.data(), l.data() + l.size(), status);
    return status;
}

std::string body_attr(std::string_view payload, const char* name)
{
    pugi::xml_document doc;
    if (!xml::parse(payload, doc)) return {};
    return std::string(xml::attr(doc.document_element(), name));
}

bool is_close_frame(std::string_view payload)
{
    pugi::xml_document doc;
    return xml::parse(payload, doc) && xml::is(doc.document_element(), ns::framing, "close");
}

struct BoshRequest {
    BoshTap::ExchangeId id;
    std::string sid; // empty for the creation request
    std::string rid;
    bool answered = false;
};

struct WsState {
    std::string conn;
    bool open = true;
    bool close_seen = false;
};

class Replayer {
public:
    explicit Replayer(const ReplayOptions& o)
        : tracker_(o.tracker), bosh_(tracker_, o.bosh), ws_(tracker_, o.ws)
    {
    }

    Events run(const std::vector<TranscriptSection>& sections, bool drain)
    {
        TimePoint now{};
        for (const auto& s : sections) {
            now = TimePoint{} + s.t;
            advance(now);
            if (s.is_frame)
                frame(s, now);
            else if (s.is_http_head)
                http_head(s, now);
            else
                bosh(s, now);
        }
        for (auto& w : ws_conns_) {
            if (w.open) ws_.on_closed(w.conn, now, out_);
            w.open = false;
        }
        if (drain) {
            while (auto next = next_deadline()) fire(*next);
        }
        return std::move(out_);
    }

private:
    std::optional<TimePoint> next_deadline() const
    {
        const auto b = bosh_.next_deadline();
        const auto w = ws_.next_deadline();
        if (b && w) return std::min(*b, *w);
        return b ? b : w;
    }

    void fire(TimePoint t)
    {
        bosh_.tick(t, out_);
        ws_.tick(t, out_);
    }

    // Timers run at their own moments up to `now`, so timeouts carry their true time.
    void advance(TimePoint now)
    {
        while (auto next = next_deadline()) {
            if (*next > now) break;
            fire(*next);
        }
        fire(now);
    }

    void bosh(const TranscriptSection& s, TimePoint now)
    {
        const std::string sid = s.sid ? *s.sid : body_attr(s.payload, "sid");
        const std::string rid = s.rid ? *s.rid : body_attr(s.payload, "rid");
        if (s.from_client) {
            const auto sp = s.request_line.find(' ');
            HttpMeta meta;
            if (sp != std::string::npos) meta.target = s.request_line.substr(sp + 1);
            const auto id = next_id_++;
            bosh_requests_.push_back({id, sid, rid});
            bosh_.on_request(id, meta, s.payload, now, out_);
            return;
        }
        // Paired with the earliest unanswered request of the same sid and rid.
        for (auto& r : bosh_requests_) {
            if (r.answered || r.rid != rid || (!sid.empty() && !r.sid.empty() && r.sid != sid))
                continue;
            r.answered = true;
            bosh_.on_response(r.id, status_of(s), s.payload, now, out_);
            return;
        }
    }

    void http_head(const TranscriptSection& s, TimePoint now)
    {
        if (!s.from_client || !s.conn) return;
        const auto head = read_head(s.payload);
        if (!head.upgrade_websocket) return; // e.g. a keep-alive GET: not a WebSocket
        if (query_param(head.target, "previd")) {
            // The client resumes: its earlier sockets that did not close are gone by now.
            for (auto& w : ws_conns_) {
                if (w.open && !w.close_seen && w.conn != *s.conn) {
                    ws_.on_closed(w.conn, now, out_);
                    w.open = false;
                }
            }
        }
        open_ws(*s.conn, head.meta, now);
    }

    WsState& open_ws(const std::string& conn, const HttpMeta& meta, TimePoint now)
    {
        ws_.on_open(conn, meta, now);
        ws_conns_.push_back({conn});
        return ws_conns_.back();
    }

    void frame(const TranscriptSection& s, TimePoint now)
    {
        if (!s.conn) return;
        auto it = std::find_if(ws_conns_.begin(), ws_conns_.end(),
                               [&](const WsState& w) { return w.conn == *s.conn && w.open; });
        WsState& w = it != ws_conns_.end() ? *it : open_ws(*s.conn, {}, now);
        ws_.on_message(w.conn,
                       s.from_client ? Direction::client_to_server : Direction::server_to_client,
                       s.payload, now, out_);
        if (is_close_frame(s.payload)) w.close_seen = true;
    }

    Tracker tracker_;
    BoshTap bosh_;
    WsTap ws_;
    Events out_;
    BoshTap::ExchangeId next_id_ = 1;
    std::vector<BoshRequest> bosh_requests_;
    std::vector<WsState> ws_conns_;
};

} // namespace

Events replay(const std::vector<TranscriptSection>& sections, const ReplayOptions& options)
{
    return Replayer(options).run(sections, options.drain_timers);
}

} // namespace boshtap::core
