// The three outputs: CSV quoting, JSON validity, an aligned and terminal-safe table.
#include "boshtap/app/report/report_format.hpp"
#include "log_lines.hpp"

#include <boost/json/parse.hpp>

using namespace report_test;

namespace {

const std::string awkward = "Smith, \"Bob\"\nJr.";

std::vector<report::Meeting> sample()
{
    return meetings_of({
        join("10:00:00", "aaaa0001", awkward, "bob@example.org/x"),
        join("10:05:00", "bbbb0002", "Ünïcødé 名前 🎉"),
        join("10:06:00", "cccc0003", std::string("Mal\x1b[31mory\r")),
        leave("10:30:00", "bbbb0002", "Ünïcødé 名前 🎉"),
        leave("10:40:00", "aaaa0001", awkward),
    });
}

// RFC 4180 reader, to check that what the writer quotes comes back intact.
std::vector<std::vector<std::string>> read_csv(const std::string& text)
{
    std::vector<std::vector<std::string>> rows(1);
    std::string field;
    bool quoted = false, row_has_content = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"')
                field += text[++i];
            else if (c == '"')
                quoted = false;
            else
                field += c;
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            rows.back().push_back(std::move(field));
            field.clear();
        } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
            rows.back().push_back(std::move(field));
            field.clear();
            rows.emplace_back();
            ++i;
        } else {
            field += c;
        }
        row_has_content = true;
    }
    REQUIRE(row_has_content);
    REQUIRE(rows.back().empty()); // the last record ends with CRLF
    rows.pop_back();
    return rows;
}

} // namespace

TEST_CASE("CSV fields are quoted only when needed, quotes doubled", "[format][csv]")
{
    CHECK(report::csv_field("Alice") == "Alice");
    CHECK(report::csv_field("") == "");
    CHECK(report::csv_field("Smith, Bob") == "\"Smith, Bob\"");
    CHECK(report::csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
    CHECK(report::csv_field("two\nlines") == "\"two\nlines\"");
    CHECK(report::csv_field("cr\r") == "\"cr\r\"");
    // CSV injection: names that a spreadsheet would run as formulas become text
    CHECK(report::csv_field("=HYPERLINK(\"x\")") == "\"'=HYPERLINK(\"\"x\"\")\"");
    CHECK(report::csv_field("+4930123") == "'+4930123");
    CHECK(report::csv_field("@here") == "'@here");
    CHECK(report::csv_field("-1") == "'-1");
}

TEST_CASE("CSV: a header and one row per participant per meeting", "[format][csv]")
{
    const auto rows = read_csv(report::format_csv(sample()));
    REQUIRE(rows.size() == 4);
    const auto& header = rows[0];
    CHECK(header.front() == "room");
    CHECK(header.back() == "attended_s");
    for (const auto& r : rows) CHECK(r.size() == header.size());

    const auto column = [&](const std::string& name) {
        const auto it = std::find(header.begin(), header.end(), name);
        REQUIRE(it != header.end());
        return static_cast<std::size_t>(it - header.begin());
    };
    CHECK(rows[1][column("names")] == awkward); // names with , " and a newline survive
    CHECK(rows[1][column("jid")] == "bob@example.org");
    CHECK(rows[1][column("meeting_start")] == "2026-11-25T10:00:00.000Z");
    CHECK(rows[1][column("attended_s")] == "2400");
    CHECK(rows[1][column("still_present")] == "false");
    CHECK(rows[2][column("names")] == "Ünïcødé 名前 🎉");
    CHECK(rows[3][column("last_leave")].empty()); // still present
    CHECK(rows[3][column("still_present")] == "true");
    CHECK(rows[3][column("meeting_open")] == "true");
}

TEST_CASE("JSON: one valid document that round-trips every name", "[format][json]")
{
    report::InputSummary input;
    input.files = 1;
    input.events = 5;
    input.first = at("10:00:00");
    input.last = at("10:40:00");
    const auto text = report::format_report(report::Format::json, sample(), input);
    CHECK(std::count(text.begin(), text.end(), '\n') == 1); // a document, then a newline

    boost::system::error_code ec;
    const auto doc = boost::json::parse(text, ec);
    REQUIRE_FALSE(ec);
    const auto& meetings = doc.at("meetings").as_array();
    REQUIRE(meetings.size() == 1);
    const auto& m = meetings[0].as_object();
    CHECK(m.at("room") == "weekly-sync@muc.meet.jitsi");
    CHECK(m.at("start_known") == true);
    CHECK(m.at("open") == true);
    CHECK(m.at("end") == "2026-11-25T10:40:00.000Z");
    const auto& people = m.at("participants").as_array();
    REQUIRE(people.size() == 3);
    CHECK(people[0].at("names").as_array().at(0) == awkward.c_str());
    CHECK(people[0].at("attended_s") == 2400); // an integer, not 2.4E3
    CHECK(people[0].at("connections") == 1);
    CHECK(people[1].at("names").as_array().at(0) == "Ünïcødé 名前 🎉");
    CHECK(people[2].at("last_leave").is_null());
    CHECK(people[2].at("still_present") == true);
    CHECK(doc.at("input").at("events") == 5);
    CHECK(doc.at("input").at("first_ts") == "2026-11-25T10:00:00.000Z");
}

TEST_CASE("table: names cannot break lines or reach the terminal as escapes", "[format][table]")
{
    CHECK(report::printable("a\nb\tc\x1b[0m\x7f") == "a\\nb\\tc\\u001b[0m\\u007f");
    CHECK(report::printable("\xc2\x9b"
                            "x") == "\\u009bx"); // C1 CSI
    CHECK(report::printable("Zoë 名前") == "Zoë 名前");
    CHECK(report::display_width("Zoë") == 3);
    CHECK(report::display_width("名前") == 4);
    CHECK(report::display_width("e\xcc\x81") == 1); // e + combining acute

    report::InputSummary input;
    input.files = 2;
    input.events = 5;
    input.first = at("10:00:00");
    input.last = at("10:40:00");
    const auto table = report::format_table(sample(), input);
    CHECK(table.find('\x1b') == std::string::npos);
    CHECK(table.find('\r') == std::string::npos);
    CHECK_THAT(table, Catch::Contains("Smith, \"Bob\"\\nJr."));
    CHECK_THAT(table, Catch::Contains("Mal\\u001b[31mory\\r"));
    CHECK_THAT(table, Catch::Contains("5 events from 2 files, 2026-11-25 10:00:00 to"));
    CHECK_THAT(table, Catch::Contains("(still going at the end of the input)"));
    CHECK_THAT(table, Catch::Contains("(still present)"));

    // Every participant row puts FIRST JOIN in the same display column as the header.
    std::istringstream in(table);
    std::string line;
    std::optional<std::size_t> header_column;
    int rows = 0;
    while (std::getline(in, line)) {
        if (const auto pos = line.find("FIRST JOIN"); pos != std::string::npos) {
            header_column = report::display_width(line.substr(0, pos));
            continue;
        }
        const auto pos = line.find("2026-11-25 10:0");
        if (!header_column || pos == std::string::npos || line.find("start") != std::string::npos)
            continue;
        CHECK(report::display_width(line.substr(0, pos)) == *header_column);
        ++rows;
    }
    CHECK(rows == 3);
}

TEST_CASE("table: flags of an unknown start and no meetings", "[format][table]")
{
    const auto partial = meetings_of(
        {leave("10:05:00", "xxxx0024", "Xavier"), leave("10:06:00", "yyyy0025", "Yann")});
    const auto table = report::format_table(partial, {});
    CHECK_THAT(table, Catch::Contains("already in progress when the input begins"));
    CHECK_THAT(table, Catch::Contains("≤ 2026-11-25 10:05:00"));
    CHECK_THAT(report::format_table({}, {}), Catch::Contains("No meetings."));
    CHECK(report::format_csv({}).find("\r\n") == report::format_csv({}).size() - 2);
}
