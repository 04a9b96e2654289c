#pragma once
// Helpers for the hostile-input tests: a BOSH session driven by hand, a CPU-time budget, and a
// strict check of event lines.
#include "boshtap/core/bosh_tap.hpp"
#include "boshtap/core/event_json.hpp"
#include "boshtap/core/tracker.hpp"
#include "boshtap/core/ws_tap.hpp"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <ctime>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace boshtap::hostile {

// No hostile case may cost more than about a second of CPU (sanitizer builds included).
inline constexpr double cpu_budget_s = 1.0;

// CPU seconds `fn` takes on this thread (not wall time: other jobs share the machine).
template <class Fn> double cpu_seconds(Fn &&fn) {
    timespec a{}, b{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
    fn();
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
    return static_cast<double>(b.tv_sec - a.tv_sec) +
           static_cast<double>(b.tv_nsec - a.tv_nsec) / 1e9;
}

inline core::TimePoint at(int seconds) {
    return core::TimePoint{} + std::chrono::seconds(seconds);
}

inline constexpr std::string_view room = "demo@conference.meet.jitsi";

inline std::string request(std::string_view sid, unsigned long long rid,
                           std::string_view inner = {}, std::string_view attrs = {}) {
    return "<body xmlns='http://jabber.org/protocol/httpbind' sid='" + std::string(sid) +
           "' rid='" + std::to_string(rid) + "' " + std::string(attrs) + ">" + std::string(inner) +
           "</body>";
}

inline std::string response(std::string_view inner = {}, std::string_view attrs = {}) {
    return "<body xmlns='http://jabber.org/protocol/httpbind' " + std::string(attrs) + ">" +
           std::string(inner) + "</body>";
}

// A server presence from a room occupant (XEP-0045 §7.2.3).
inline std::string occupant_presence(std::string_view resource, std::string_view extra = {},
                                     std::string_view type = {}, std::string_view codes = {}) {
    std::string s = "<presence xmlns='jabber:client' from='" + std::string(room) + "/" +
                    std::string(resource) + "'";
    if (!type.empty())
        s += " type='" + std::string(type) + "'";
    return s + ">" + std::string(extra) +
           "<x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='none' "
           "role='participant'/>" +
           std::string(codes) + "</x></presence>";
}

inline std::string nick(std::string_view text) {
    return "<nick xmlns='http://jabber.org/protocol/nick'>" + std::string(text) + "</nick>";
}

inline std::string join_request(std::string_view resource) {
    return "<presence xmlns='jabber:client' to='" + std::string(room) + "/" +
           std::string(resource) + "'><x xmlns='http://jabber.org/protocol/muc'/></presence>";
}

// Every event renders as one line that a strict JSON reader (UTF-8 checked) accepts.
inline void require_valid_lines(const core::Events &events) {
    for (const auto &e : events) {
        const auto line = core::to_json_line(e);
        INFO(line);
        REQUIRE(line.find('\n') == std::string::npos);
        REQUIRE(line.find('\r') == std::string::npos);
        boost::system::error_code ec;
        const auto v = boost::json::parse(line, ec);
        REQUIRE_FALSE(ec);
        REQUIRE(v.is_object());
    }
}

// One BOSH session (sid "s1" unless told) created through the tap, with helpers to exchange
// bodies. Exchange ids are allocated here.
struct BoshSession {
    core::Tracker tracker;
    core::BoshTap tap{tracker};
    core::Events out;
    core::BoshTap::ExchangeId next_id = 1;
    std::map<std::string, unsigned long long, std::less<>> rids; // next rid per sid
    int clock = 0;

    explicit BoshSession(std::string_view sid = "s1") { create(sid); }

    void create(std::string_view sid, unsigned long long first_rid = 1000) {
        const auto id = next_id++;
        tap.on_request(id, meta(),
                       "<body xmlns='http://jabber.org/protocol/httpbind' rid='" +
                           std::to_string(first_rid) + "' wait='60'/>",
                       at(clock), out);
        tap.on_response(id, 200,
                        response({}, "sid='" + std::string(sid) + "' wait='60' inactivity='60'"),
                        at(clock), out);
        rids[std::string(sid)] = first_rid + 1;
    }

    static core::HttpMeta meta() { return {"198.51.100.7", "hostile-test", "/http-bind"}; }

    // A request with the next rid and its 200 response one second later, then the timers.
    void exchange(std::string_view client_inner, std::string_view server_inner,
                  std::string_view sid = "s1") {
        const auto id = next_id++;
        tap.on_request(id, meta(), request(sid, rids[std::string(sid)]++, client_inner),
                       at(++clock), out);
        tap.on_response(id, 200, response(server_inner), at(++clock), out);
        tap.tick(at(clock), out); // the auditor runs the timers every second
    }
};

} // namespace boshtap::hostile
