// The flags of `boshtap report`, parsed here so the subcommand owns its command line.
#include "boshtap/app/report/report_command.hpp"

#include "boshtap/app/report/timestamp.hpp"

#include <boost/program_options.hpp>

#include <sstream>

namespace po = boost::program_options;

namespace boshtap::app::report {

namespace {

po::options_description flags()
{
    po::options_description o("Options");
    // clang-format off
    o.add_options()
        ("help,h", "print this help and exit")
        ("format,f", po::value<std::string>()->default_value("table"),
            "table (aligned, for people), csv (RFC 4180, a row per participant per meeting) or "
            "json (one document)")
        ("room", po::value<std::vector<std::string>>()->composing(),
            "only this room: its bare JID (weekly-sync@muc.meet.jitsi) or name (weekly-sync); "
            "repeatable")
        ("since", po::value<std::string>(),
            "only meetings still going at or after this time: RFC 3339 "
            "(2026-11-25T09:00:00Z, 2026-11-25T10:00:00+01:00) or a date (2026-11-25, from 00:00 UTC)")
        ("until", po::value<std::string>(),
            "only meetings begun by this time: RFC 3339, or a date (2026-11-25, to its end, UTC)");
    // clang-format on
    return o;
}

core::TimePoint time_flag(const std::string& flag, const std::string& text, bool end_of_day)
{
    if (const auto t = parse_rfc3339(text)) return end_of_day ? *t + core::Duration{1} : *t;
    if (const auto d = parse_date(text)) return end_of_day ? *d + std::chrono::days{1} : *d;
    throw FlagError(flag, "'" + text +
                              "' is neither an RFC 3339 time (2026-11-25T22:20:10Z) "
                              "nor a date (2026-11-25)");
}

} // namespace

std::string report_usage()
{
    std::ostringstream out;
    out << "boshtap report — meetings and attendance from boshtap event logs\n"
           "\n"
           "Usage:\n"
           "  boshtap report [--format table|csv|json] [--room R] [--since T] [--until T] FILE...\n"
           "\n"
           "FILE: current and rotated event logs, plain or gzip-compressed, in any order\n"
           "(events.jsonl events.1.jsonl events.2.jsonl.gz ...). Times are UTC.\n"
           "\n"
        << flags();
    return out.str();
}

ReportOptions parse_report_options(int argc, const char* const argv[])
{
    po::options_description all = flags();
    all.add_options()("file", po::value<std::vector<std::string>>()->composing());
    po::positional_options_description positional;
    positional.add("file", -1);

    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(),
                  vm);
        po::notify(vm);
    } catch (const po::error_with_option_name& e) {
        throw FlagError(e.get_option_name(), e.what());
    } catch (const po::error& e) {
        throw FlagError("command line", e.what());
    }

    ReportOptions options;
    if (vm.count("help")) {
        options.help = true;
        return options;
    }
    const auto format = vm["format"].as<std::string>();
    if (format == "table")
        options.format = Format::table;
    else if (format == "csv")
        options.format = Format::csv;
    else if (format == "json")
        options.format = Format::json;
    else
        throw FlagError("--format", "'" + format + "': must be table, csv or json");

    if (vm.count("room")) {
        options.filter.rooms = vm["room"].as<std::vector<std::string>>();
        for (const auto& r : options.filter.rooms)
            if (r.empty() || r.front() == '@')
                throw FlagError("--room", "needs a room JID or name");
    }
    if (vm.count("since"))
        options.filter.since = time_flag("--since", vm["since"].as<std::string>(), false);
    if (vm.count("until"))
        options.filter.until = time_flag("--until", vm["until"].as<std::string>(), true);
    if (options.filter.since && options.filter.until &&
        *options.filter.until <= *options.filter.since)
        throw FlagError("--until", "must be later than --since");

    if (vm.count("file")) options.files = vm["file"].as<std::vector<std::string>>();
    if (options.files.empty()) throw FlagError("FILE", "no event log given");
    return options;
}

} // namespace boshtap::app::report
