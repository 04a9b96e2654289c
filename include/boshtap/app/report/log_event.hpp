#pragma once
// One line of the event log, as the report needs it. Reports may read gigabytes of rotated
// logs, so strings are interned: an event is a few pointers, each room, name and JID is stored
// once.
#include "boshtap/core/event.hpp"
#include "boshtap/core/time.hpp"

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace boshtap::app::report {

// Owns one copy of every distinct string; the pointers it hands out stay valid as it grows.
class StringPool {
public:
    const std::string* intern(std::string_view);

private:
    std::deque<std::string> storage_;
    std::unordered_map<std::string_view, const std::string*> index_;
};

// Fields the report uses (docs/log-format.md); a null pointer is a JSON null or absent field.
struct LogEvent {
    core::TimePoint ts{};
    core::EventKind kind = core::EventKind::join;
    const std::string* room = nullptr;     // never null
    const std::string* occupant = nullptr; // never null
    const std::string* nick = nullptr;
    const std::string* old_nick = nullptr;     // nick_change
    const std::string* old_occupant = nullptr; // nick_change after a MUC nickname change
    const std::string* jid = nullptr;          // real full JID
    std::optional<core::Duration> duration;    // leave: time since its join
    std::uint32_t file = 0;                    // index of the input file, to break ts ties
};

// Parses one line. On failure returns nullopt and sets `error` to a short reason.
std::optional<LogEvent> parse_event_line(std::string_view line, StringPool&, std::string& error);

} // namespace boshtap::app::report
