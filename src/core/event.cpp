#include "boshtap/core/event.hpp"

namespace boshtap::core {

std::string_view to_string(EventKind k) noexcept
{
    switch (k) {
    case EventKind::join:
        return "join";
    case EventKind::nick_change:
        return "nick_change";
    case EventKind::leave:
        return "leave";
    }
    return "unknown";
}

std::string_view to_string(Source s) noexcept
{
    switch (s) {
    case Source::self:
        return "self";
    case Source::observed:
        return "observed";
    }
    return "unknown";
}

std::string_view to_string(Transport t) noexcept
{
    switch (t) {
    case Transport::bosh:
        return "bosh";
    case Transport::websocket:
        return "websocket";
    }
    return "unknown";
}

std::string_view to_string(LeaveReason r) noexcept
{
    switch (r) {
    case LeaveReason::left:
        return "left";
    case LeaveReason::kicked:
        return "kicked";
    case LeaveReason::banned:
        return "banned";
    case LeaveReason::removed:
        return "removed";
    case LeaveReason::room_destroyed:
        return "room_destroyed";
    case LeaveReason::switch_room:
        return "switch_room";
    case LeaveReason::timeout:
        return "timeout";
    case LeaveReason::terminated:
        return "terminated";
    case LeaveReason::disconnected:
        return "disconnected";
    case LeaveReason::unobserved:
        return "unobserved";
    case LeaveReason::shutdown:
        return "shutdown";
    }
    return "unknown";
}

} // namespace boshtap::core
