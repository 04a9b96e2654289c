// `boshtap report` end to end: files on disk, flags, exit codes, diagnostics.
#include "boshtap/app/report/report_command.hpp"
#include "log_lines.hpp"

#include <boost/json/parse.hpp>

#include <iostream>
#include <sstream>

using namespace report_test;
using report::FlagError;

namespace {

report::ReportOptions parse(std::vector<const char*> args)
{
    args.insert(args.begin(), "report");
    return report::parse_report_options(static_cast<int>(args.size()), args.data());
}

std::string failing_flag(std::vector<const char*> args)
{
    try {
        parse(std::move(args));
    } catch (const FlagError& e) {
        return e.flag;
    }
    return "(no error)";
}

struct Run {
    int status = -1;
    std::string out, err;
};

Run run(const report::ReportOptions& options)
{
    std::ostringstream out, err;
    Run r;
    r.status = report::write_report(options, out, err, false);
    r.out = out.str();
    r.err = err.str();
    return r;
}

report::ReportOptions json_of(std::vector<std::string> files)
{
    report::ReportOptions o;
    o.format = report::Format::json;
    o.files = std::move(files);
    return o;
}

boost::json::value parsed(const std::string& text)
{
    boost::system::error_code ec;
    auto doc = boost::json::parse(text, ec);
    REQUIRE_FALSE(ec);
    return doc;
}

} // namespace

TEST_CASE("flags", "[command]")
{
    const auto o = parse({"--format", "csv", "--room", "a@muc", "--room", "b", "--since",
                          "2026-11-25", "--until", "2026-11-25", "x.jsonl", "y.jsonl.gz"});
    CHECK(o.format == report::Format::csv);
    CHECK(o.filter.rooms == std::vector<std::string>{"a@muc", "b"});
    CHECK(o.filter.since == at("00:00:00"));
    CHECK(o.filter.until == *report::parse_rfc3339("2026-11-26T00:00:00Z")); // the whole day
    CHECK(o.files == std::vector<std::string>{"x.jsonl", "y.jsonl.gz"});
    CHECK(parse({"f"}).format == report::Format::table);
    CHECK(parse({"--until", "2026-11-25T10:00:00+01:00", "f"}).filter.until ==
          at("09:00:00") + std::chrono::milliseconds(1)); // inclusive
    CHECK(parse({"--help"}).help);
    CHECK_THAT(report::report_usage(), Catch::Contains("--format"));
}

TEST_CASE("bad flags name the flag", "[command]")
{
    CHECK(failing_flag({"--format", "xml", "f"}) == "--format");
    CHECK(failing_flag({"--since", "last tuesday", "f"}) == "--since");
    CHECK(failing_flag({"--until", "2026-11-25T25:00:00Z", "f"}) == "--until");
    CHECK(failing_flag({"--since", "2026-11-26", "--until", "2026-11-25", "f"}) == "--until");
    CHECK(failing_flag({"--room", "", "f"}) == "--room");
    CHECK(failing_flag({"--bogus", "f"}) == "--bogus");
    CHECK(failing_flag({"--format"}) == "--format");
    CHECK(failing_flag({}) == "FILE");

    // run_report: exit code 2 and one line on stderr.
    std::ostringstream err;
    auto* old = std::cerr.rdbuf(err.rdbuf());
    const char* argv[] = {"report", "--format", "yaml", "f"};
    const int status = boshtap::app::run_report(4, argv);
    std::cerr.rdbuf(old);
    CHECK(status == 2);
    CHECK(err.str() == "boshtap report: --format: 'yaml': must be table, csv or json\n");
}

TEST_CASE("rotated files, gzip and plain, given in any order", "[command]")
{
    TempDir dir;
    // One meeting across three files: 09:00-12:00, Alice reloads in the middle file.
    const auto oldest =
        dir.write_gzip("events.2.jsonl.gz", lines({
                                                join("09:00:00", "aaaa0001", "Alice"),
                                                join("09:30:00", "bbbb0002", "Bob"),
                                            }));
    const auto middle =
        dir.write_gzip("events.1.jsonl.gz", lines({
                                                leave("10:00:00", "aaaa0001", "Alice", 3600.0),
                                                join("10:01:00", "aaaa0003", "Alice"),
                                            }));
    const auto current =
        dir.write("events.jsonl", lines({
                                      leave("11:00:00", "bbbb0002", "Bob", 5400.0),
                                      leave("12:00:00", "aaaa0003", "Alice", 7140.0),
                                  }));
    for (const auto& files :
         {std::vector{oldest, middle, current}, std::vector{current, oldest, middle},
          std::vector{middle, current, oldest}}) {
        const auto r = run(json_of(files));
        CHECK(r.status == 0);
        CHECK(r.err.empty());
        const auto doc = parsed(r.out);
        const auto& meetings = doc.at("meetings").as_array();
        REQUIRE(meetings.size() == 1);
        CHECK(meetings[0].at("start") == "2026-11-25T09:00:00.000Z");
        CHECK(meetings[0].at("start_known") == true);
        CHECK(meetings[0].at("end") == "2026-11-25T12:00:00.000Z");
        const auto& alice = meetings[0].at("participants").at(0);
        CHECK(alice.at("connections") == 2);
        CHECK(alice.at("attended_s") == 3600 + 7140);
        CHECK(doc.at("input").at("files") == 3);
        CHECK(doc.at("input").at("events") == 6);
    }
}

TEST_CASE("malformed lines are counted and reported once", "[command]")
{
    TempDir dir;
    const auto a = dir.write(
        "events.1.jsonl",
        lines({
            join("10:00:00", "aaaa0001", "Alice"),
            R"({"ts":"2026-11-25T10:01:00.000Z","event":"join","ro)", // torn by a full disk
            "",
            "garbage",
        }));
    const auto b = dir.write(
        "events.jsonl",
        lines({
            R"({"ts":"2026-11-25T10:02:00.000Z","event":"wave","room":"r@m","occupant":"o"})",
            leave("10:10:00", "aaaa0001", "Alice"),
        }));
    const auto r = run(json_of({a, b}));
    CHECK(r.status == 0);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK_THAT(r.err, Catch::StartsWith("boshtap report: skipped 3 malformed lines (first: "));
    CHECK_THAT(r.err, Catch::Contains("events.1.jsonl:2: not JSON"));
    const auto doc = parsed(r.out);
    CHECK(doc.at("input").at("malformed_lines") == 3);
    CHECK(doc.at("meetings").as_array().size() == 1);
}

TEST_CASE("a file that cannot be read: exit 1, the others still reported", "[command]")
{
    TempDir dir;
    const auto good = dir.write("events.jsonl", lines({join("10:00:00", "aaaa0001", "Alice"),
                                                       leave("10:10:00", "aaaa0001", "Alice")}));
    const auto r = run(json_of({dir.path("events.9.jsonl.gz"), good}));
    CHECK(r.status == 1);
    CHECK_THAT(r.err, Catch::Contains("events.9.jsonl.gz: No such file or directory"));
    CHECK(parsed(r.out).at("meetings").as_array().size() == 1);

    std::string content;
    for (int i = 0; i < 300; ++i) content += join("10:00:00", "o" + std::to_string(i), "N") + '\n';
    const auto whole = dir.write_gzip("whole.gz", content);
    std::ifstream in(whole, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto cut = dir.write("events.1.jsonl.gz", bytes.substr(0, bytes.size() - 10));
    const auto damaged = run(json_of({cut}));
    CHECK(damaged.status == 1);
    CHECK_THAT(damaged.err, Catch::Contains("events.1.jsonl.gz: truncated gzip data"));
    CHECK_THAT(damaged.err, Catch::Contains("(after line"));
}

TEST_CASE("the room, since and until filters pick whole meetings", "[command]")
{
    TempDir dir;
    const auto file =
        dir.write("events.jsonl",
                  lines({
                      join("08:00:00", "aaaa0001", "Early"),
                      leave("09:00:00", "aaaa0001", "Early"),
                      join("10:00:00", "bbbb0002", "Mid"),
                      leave("12:00:00", "bbbb0002", "Mid"),
                      in_room(join("11:00:00", "cccc0003", "Other"), "standup@muc.meet.jitsi"),
                      in_room(leave("11:30:00", "cccc0003", "Other"), "standup@muc.meet.jitsi"),
                      join("23:00:00", "dddd0004", "Late"),
                      text({"2026-11-26T00:30:00.000", "leave", "dddd0004", "Late"}),
                  }));
    const auto names = [&](std::vector<const char*> args) {
        args.push_back(file.c_str());
        args.insert(args.begin(), {"--format", "json"});
        const auto r = run(parse(args));
        REQUIRE(r.status == 0);
        std::vector<std::string> out;
        const auto doc = parsed(r.out);
        for (const auto& m : doc.at("meetings").as_array())
            out.emplace_back(m.at("participants").at(0).at("names").at(0).as_string());
        return out;
    };
    using V = std::vector<std::string>;
    CHECK(names({}) == V{"Early", "Mid", "Other", "Late"});
    CHECK(names({"--room", "Standup@MUC.meet.jitsi"}) == V{"Other"});
    CHECK(names({"--room", "weekly-sync"}) == V{"Early", "Mid", "Late"});
    CHECK(names({"--room", "weekly"}).empty());
    CHECK(names({"--since", "2026-11-25T11:45:00Z"}) == V{"Mid", "Late"});  // Mid still going
    CHECK(names({"--until", "2026-11-25T10:00:00Z"}) == V{"Early", "Mid"}); // Mid begins then
    CHECK(names({"--since", "2026-11-26"}) == V{"Late"});
    CHECK(names({"--until", "2026-11-24"}).empty());
    CHECK(names({"--since", "2026-11-25", "--until", "2026-11-25", "--room", "weekly-sync"}) ==
          V{"Early", "Mid", "Late"});
}

TEST_CASE("table and csv end to end; no progress when stderr is not a terminal", "[command]")
{
    TempDir dir;
    const auto file = dir.write("events.jsonl", lines({join("10:00:00", "aaaa0001", "Alice"),
                                                       leave("10:10:00", "aaaa0001", "Alice")}));
    report::ReportOptions o;
    o.files = {file};
    auto r = run(o);
    CHECK(r.status == 0);
    CHECK_THAT(r.out, Catch::Contains("weekly-sync@muc.meet.jitsi — 1 participant, 10m 00s"));
    CHECK(r.err.find('\r') == std::string::npos);
    o.format = report::Format::csv;
    r = run(o);
    CHECK_THAT(r.out, Catch::StartsWith("room,meeting_start,"));
    CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 2);
}
