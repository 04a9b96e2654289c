#include "boshtap/app/report/report_command.hpp"

#include "boshtap/app/report/log_reader.hpp"
#include "progress.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <unistd.h>

namespace boshtap::app::report {

namespace {

struct Loaded {
    StringPool pool;
    std::vector<LogEvent> events;
    InputSummary summary;
    std::string first_malformed; // file:line: reason
    bool read_error = false;
};

std::uint64_t total_size(const std::vector<std::string>& files)
{
    std::uint64_t total = 0;
    for (const auto& f : files) {
        std::error_code ec;
        const auto size = std::filesystem::file_size(f, ec);
        if (!ec) total += size;
    }
    return total;
}

void load_file(const std::string& file, std::uint32_t index, Loaded& into, std::ostream& err,
               Progress& progress, std::uint64_t done_before)
{
    std::size_t line_number = 0;
    try {
        LogReader reader(file);
        std::string line, error;
        while (reader.next_line(line)) {
            ++line_number;
            if (line.find_first_not_of(" \t") == std::string::npos) continue;
            if (auto event = parse_event_line(line, into.pool, error)) {
                event->file = index;
                into.events.push_back(*event);
            } else if (into.summary.malformed_lines++ == 0) {
                into.first_malformed = fmt::format("{}:{}: {}", file, line_number, error);
            }
            if ((line_number & 0xFFF) == 0)
                progress.reading(file, done_before + reader.position(), into.events.size());
        }
        ++into.summary.files;
    } catch (const ReadError& e) {
        progress.clear();
        into.read_error = true;
        if (line_number > 0)
            err << fmt::format("boshtap report: {}: {} (after line {})\n", file, e.what(),
                               line_number);
        else
            err << fmt::format("boshtap report: {}: {}\n", file, e.what());
    }
}

} // namespace

int write_report(const ReportOptions& options, std::ostream& out, std::ostream& err,
                 bool show_progress)
{
    const std::uint64_t total = total_size(options.files);
    Progress progress(err, show_progress, total);
    Loaded loaded;
    std::uint64_t done = 0;
    for (std::size_t i = 0; i < options.files.size(); ++i) {
        load_file(options.files[i], static_cast<std::uint32_t>(i), loaded, err, progress, done);
        std::error_code ec;
        const auto size = std::filesystem::file_size(options.files[i], ec);
        if (!ec) done += size;
    }

    progress.step(fmt::format("sorting {} events", loaded.events.size()));
    auto& events = loaded.events;
    sort_events(events);
    loaded.summary.duplicates = drop_duplicates(events);
    loaded.summary.events = events.size();
    if (!events.empty()) {
        loaded.summary.first = events.front().ts;
        loaded.summary.last = events.back().ts;
    }
    progress.step("finding meetings");
    const auto meetings = select_meetings(build_meetings(events), options.filter);
    progress.clear();

    // Once, not per line: a damaged file must not bury the report in messages.
    if (loaded.summary.malformed_lines > 0)
        err << fmt::format("boshtap report: skipped {} malformed line{} (first: {})\n",
                           loaded.summary.malformed_lines,
                           loaded.summary.malformed_lines == 1 ? "" : "s", loaded.first_malformed);
    if (loaded.summary.duplicates > 0)
        err << fmt::format("boshtap report: ignored {} event{} repeated in another file "
                           "(a file given twice?)\n",
                           loaded.summary.duplicates, loaded.summary.duplicates == 1 ? "" : "s");
    err << std::flush;

    out << format_report(options.format, meetings, loaded.summary) << std::flush;
    return loaded.read_error ? 1 : 0;
}

} // namespace boshtap::app::report

namespace boshtap::app {

int run_report(int argc, const char* const argv[])
{
    report::ReportOptions options;
    try {
        options = report::parse_report_options(argc, argv);
    } catch (const report::FlagError& e) {
        std::cerr << fmt::format("boshtap report: {}: {}\n", e.flag, e.what());
        return 2;
    }
    if (options.help) {
        std::cout << report::report_usage();
        return 0;
    }
    return report::write_report(options, std::cout, std::cerr, ::isatty(STDERR_FILENO) == 1);
}

} // namespace boshtap::app
