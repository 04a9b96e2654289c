#pragma once
// `boshtap report`: meetings and attendance from event-log files (docs/report.md).
#include "boshtap/app/report/attendance.hpp"
#include "boshtap/app/report/report_format.hpp"

#include <iosfwd>
#include <stdexcept>
#include <string>
#include <vector>

namespace boshtap::app {

// argv[0] is the subcommand's own name, as main passes it: run_report(argc - 1, argv + 1).
// Exit code: 0 done, 1 a file could not be read (the others are still reported), 2 bad flags.
int run_report(int argc, const char* const argv[]);

} // namespace boshtap::app

namespace boshtap::app::report {

// A flag that cannot be used; `flag` names it. Exit code 2.
struct FlagError : std::runtime_error {
    FlagError(std::string flag, const std::string& message)
        : std::runtime_error(message), flag(std::move(flag))
    {
    }
    std::string flag;
};

struct ReportOptions {
    Format format = Format::table;
    MeetingFilter filter;
    std::vector<std::string> files;
    bool help = false;
};

// Throws FlagError.
ReportOptions parse_report_options(int argc, const char* const argv[]);

std::string report_usage();

// Reads the files, writes the report to `out`, diagnostics to `err`; progress on `err` when
// `show_progress` (the caller checks that it is a terminal). Exit code.
int write_report(const ReportOptions&, std::ostream& out, std::ostream& err, bool show_progress);

} // namespace boshtap::app::report
