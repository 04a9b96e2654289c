// Fuzz target: a sequence of BOSH exchanges through BoshTap + Tracker.
// Steps (step_script.hpp):
//   Qn        request body on exchange slot n (a new exchange id each time)
//   Rn STATUS the response to slot n's latest exchange (status defaults to 200)
//   Fn        slot n's exchange failed (upstream error, client gone)
//   T SECONDS time passes (timers run); every other step advances 1 s
//   U text    the user agent of later requests (header rest), raw bytes as a peer may send
// After each step the events must be valid JSON lines and balanced per occupant; at the end a
// graceful shutdown must close every open occupant.
#include "event_invariants.hpp"
#include "step_script.hpp"

#include "boshtap/core/bosh_tap.hpp"
#include "boshtap/core/tracker.hpp"

#include <array>
#include <cstdint>
#include <string>

using namespace boshtap;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char *>(data), size);
    core::Tracker tracker;
    core::BoshTap tap(tracker);
    fuzz::EventInvariants invariants;
    core::Events out;
    core::HttpMeta meta{"192.0.2.10", "fuzz", "/http-bind"};
    std::array<core::BoshTap::ExchangeId, 10> slots{};
    core::BoshTap::ExchangeId next_id = 1;
    core::TimePoint now{};

    for (const auto &step : fuzz::parse_steps(input)) {
        now += std::chrono::seconds(step.op == 'T' ? step.number : 1);
        switch (step.op) {
        case 'Q':
            slots[step.slot] = next_id++;
            tap.on_request(slots[step.slot], meta, step.body, now, out);
            break;
        case 'R': {
            const auto status = step.number == 0 ? 200u : static_cast<unsigned>(step.number);
            tap.on_response(slots[step.slot], status, step.body, now, out);
            break;
        }
        case 'F':
            tap.on_failed(slots[step.slot], now, out);
            break;
        case 'U':
            meta.user_agent = std::string(step.header.substr(1));
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
