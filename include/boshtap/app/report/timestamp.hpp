#pragma once
// Reading the times the report works with: the log's `ts` and the --since/--until flags.
#include "boshtap/core/time.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace boshtap::app::report {

// RFC 3339 date-time (`2026-11-25T22:20:10.123Z`, `...+01:00`, any number of fraction digits,
// `t`/`z`/space accepted), converted to UTC and truncated to milliseconds. nullopt if invalid.
std::optional<core::TimePoint> parse_rfc3339(std::string_view);

// A full date `2026-11-25`: midnight UTC at its start. nullopt if invalid.
std::optional<core::TimePoint> parse_date(std::string_view);

// `2026-11-25 22:20:10` (UTC, whole seconds): the table's human-readable form.
std::string format_table_time(core::TimePoint);

// Durations in the report are whole seconds, rounded, the same in every format (and never a
// double: Boost.JSON 1.81 writes those in E-notation).
std::int64_t whole_seconds(core::Duration);

// `1h 02m 05s`, `4m 09s`, `12s`: a duration for people.
std::string format_duration(core::Duration);

} // namespace boshtap::app::report
