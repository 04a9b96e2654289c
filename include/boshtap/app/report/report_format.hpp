#pragma once
// The three outputs of `boshtap report`: an aligned table for people, CSV (RFC 4180) for
// spreadsheets, one JSON document (Boost.JSON) for programs.
#include "boshtap/app/report/attendance.hpp"

#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace boshtap::app::report {

enum class Format { table, csv, json };

// What was read: the table's heading and the JSON's `input` member.
struct InputSummary {
    std::size_t files = 0;
    std::size_t events = 0;
    std::size_t malformed_lines = 0;
    std::size_t duplicates = 0;
    std::optional<core::TimePoint> first, last; // the timestamps the input covers
};

std::string format_table(const std::vector<Meeting>&, const InputSummary&);
std::string format_csv(const std::vector<Meeting>&);
boost::json::value report_json(const std::vector<Meeting>&, const InputSummary&);

std::string format_report(Format, const std::vector<Meeting>&, const InputSummary&);

// One CSV field: quoted (quotes doubled) when it holds a comma, quote, CR or LF.
std::string csv_field(std::string_view);

// For the table: control characters made visible (`\n`, `\u001b`), so a display name can
// neither break the layout nor send escape sequences to the terminal.
std::string printable(std::string_view);

// Terminal columns a UTF-8 string takes (wide East Asian characters 2, combining marks 0).
std::size_t display_width(std::string_view);

} // namespace boshtap::app::report
