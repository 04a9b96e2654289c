// Fuzz target: WebSocket messages both ways through WsTap + Tracker.
// Steps (step_script.hpp):
//   On TARGET  a new socket on slot n, upgrade target after the slot ("O1
//   /xmpp-websocket?previd=x") Cn         client->server message on slot n's socket Sn
//   server->client message on slot n's socket Xn         slot n's socket is gone T SECONDS  time
//   passes (timers run); every other step advances 1 s
// Invariants as in the BOSH target.
#include "event_invariants.hpp"
#include "step_script.hpp"

#include "boshtap/core/tracker.hpp"
#include "boshtap/core/ws_tap.hpp"

#include <array>
#include <cstdint>
#include <string>

using namespace boshtap;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char *>(data), size);
    core::Tracker tracker;
    core::WsTap tap(tracker);
    fuzz::EventInvariants invariants;
    core::Events out;
    // The proxy gives every socket a fresh id; a slot names the latest socket opened on it.
    std::array<std::string, 10> slots;
    unsigned opened = 0;
    core::TimePoint now{};

    for (const auto &step : fuzz::parse_steps(input)) {
        now += std::chrono::seconds(step.op == 'T' ? step.number : 1);
        std::string &conn = slots[step.slot];
        switch (step.op) {
        case 'O': {
            conn = "ws" + std::to_string(++opened);
            auto target = step.header.substr(step.header.size() > 2 ? 2 : step.header.size());
            tap.on_open(conn, core::HttpMeta{"2001:db8::1", "fuzz", std::string(target)}, now);
            break;
        }
        case 'C':
        case 'S':
            if (conn.empty())
                break;
            tap.on_message(conn,
                           step.op == 'C' ? core::Direction::client_to_server
                                          : core::Direction::server_to_client,
                           step.body, now, out);
            break;
        case 'X':
            if (!conn.empty())
                tap.on_closed(conn, now, out);
            break;
        default:
            break;
        }
        tap.tick(now, out);
        invariants.check(out);
        out.clear();
    }
    fuzz::check_end(tracker, invariants, now, out);
    return 0;
}
