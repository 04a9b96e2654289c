#pragma once
// BOSH (XEP-0124/0206) session bookkeeping in front of the Tracker: sid -> connection, rid
// ordering and de-duplication in both directions, session end (terminate, unknown sid,
// silence). The proxy reports each HTTP exchange; nothing here does I/O.
#include "boshtap/core/event.hpp"
#include "boshtap/core/options.hpp"
#include "boshtap/core/tracker.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace boshtap::core {

struct HttpMeta {
    std::string client_ip;
    std::string user_agent;
    std::string target; // request-target as received (path + query), for diagnostics
};

// Why a body was not used (counted by the caller, reported once in diagnostics).
enum class TapIssue {
    none,
    not_xml,
    not_bosh_body,
    unknown_sid,
    stale_exchange,
    rid_out_of_window, // above the session's window or 2^53 - 1 (XEP-0124 §14.1)
};

class BoshTap {
public:
    using ExchangeId = std::uint64_t;

    BoshTap(Tracker&, BoshOptions = {});
    ~BoshTap();
    BoshTap(const BoshTap&) = delete;
    BoshTap& operator=(const BoshTap&) = delete;

    // A request body (POST to the BOSH endpoint) went upstream. `id` is unique per exchange,
    // chosen by the caller; the response (or failure) is reported with the same id.
    TapIssue on_request(ExchangeId id, const HttpMeta&, std::string_view body, TimePoint now,
                        Events& out);
    // The upstream answered. `body` is the decoded (not gzip) response body.
    TapIssue on_response(ExchangeId id, unsigned status, std::string_view body, TimePoint now,
                         Events& out);
    // The exchange ended without a usable response (upstream error, client gone, timeout).
    void on_failed(ExchangeId id, TimePoint now, Events& out);

    // Timers in the caller's time: silent sessions, overdue exchanges.
    void tick(TimePoint now, Events& out);
    // When tick() next has something to do (nullopt: nothing pending). Lets a replay advance
    // time exactly to the next timer.
    std::optional<TimePoint> next_deadline() const;

    std::size_t open_sessions() const;

private:
    TapIssue take_request(ExchangeId, const HttpMeta&, std::string_view body, TimePoint now,
                          Events& out);

    struct State;
    std::unique_ptr<State> state_;
};

} // namespace boshtap::core
