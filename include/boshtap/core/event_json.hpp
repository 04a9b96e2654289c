#pragma once
// Serialises events as the JSON Lines of the event log, with Boost.JSON (never by hand).
#include "boshtap/core/event.hpp"

#include <boost/json/object.hpp>
#include <string>

namespace boshtap::core {

// RFC 3339 UTC with milliseconds: 2026-11-25T22:20:10.123Z
std::string format_timestamp(TimePoint);

boost::json::object to_json(const Event&);

// One line, without the trailing newline.
std::string to_json_line(const Event&);

// A flat event object as one line (numbers as plain decimals, never E-notation).
std::string serialize_line(const boost::json::object&);

} // namespace boshtap::core
