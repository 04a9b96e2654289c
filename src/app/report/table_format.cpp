// The human-readable table: one block per meeting, participant columns aligned.
#include "boshtap/app/report/report_format.hpp"

#include "boshtap/app/report/timestamp.hpp"

#include <fmt/format.h>

#include <array>

namespace boshtap::app::report {

namespace {

constexpr std::size_t max_name_width = 40; // the full names are in the CSV and JSON outputs

std::string truncated(const std::string& s, std::size_t width)
{
    if (display_width(s) <= width) return s;
    std::string out;
    std::size_t pos = 0;
    while (pos < s.size()) {
        std::size_t next = pos + 1;
        while (next < s.size() && (static_cast<unsigned char>(s[next]) & 0xC0) == 0x80) ++next;
        if (display_width(out + s.substr(pos, next - pos)) + 1 > width) break;
        out += s.substr(pos, next - pos);
        pos = next;
    }
    return out + "…";
}

std::string pad(const std::string& s, std::size_t width, bool right)
{
    const std::size_t w = display_width(s);
    const std::string fill(width > w ? width - w : 0, ' ');
    return right ? fill + s : s + fill;
}

using Row = std::array<std::string, 6>;

Row participant_row(const Participant& p)
{
    std::string names;
    for (const auto& n : p.names) names += (names.empty() ? "" : " / ") + printable(n);
    if (names.empty()) names = "(no name)";
    const bool at_least = p.open() || !p.first_join_known;
    return {truncated(names, max_name_width),
            p.jid ? printable(*p.jid) : "-",
            (p.first_join_known ? "" : "≤ ") + format_table_time(p.first_join),
            p.last_leave ? format_table_time(*p.last_leave) : "(still present)",
            std::to_string(p.connections),
            (at_least ? "≥ " : "") + format_duration(p.attended)};
}

void write_meeting(std::string& out, const Meeting& m)
{
    out += fmt::format("{} — {} participant{}, {}{}\n", m.room, m.participants.size(),
                       m.participants.size() == 1 ? "" : "s", m.open || !m.start_known ? "≥ " : "",
                       format_duration(m.end - m.start));
    out +=
        fmt::format("  start  {}{} UTC{}\n", m.start_known ? "" : "≤ ", format_table_time(m.start),
                    m.start_known ? "" : "  (already in progress when the input begins)");
    out += fmt::format("  end    {}{} UTC{}\n", m.open ? "≥ " : "", format_table_time(m.end),
                       m.open ? "  (still going at the end of the input)" : "");

    std::vector<Row> rows{{"NAME", "JID", "FIRST JOIN", "LAST LEAVE", "CONNECTIONS", "ATTENDED"}};
    for (const auto& p : m.participants) rows.push_back(participant_row(p));
    std::array<std::size_t, 6> widths{};
    for (const auto& r : rows)
        for (std::size_t c = 0; c < r.size(); ++c)
            widths[c] = std::max(widths[c], display_width(r[c]));
    for (const auto& r : rows) {
        std::string line;
        for (std::size_t c = 0; c < r.size(); ++c)
            line += "  " + pad(r[c], widths[c], c == 4); // counts right-aligned
        while (!line.empty() && line.back() == ' ') line.pop_back();
        out += line + '\n';
    }
}

} // namespace

std::string format_table(const std::vector<Meeting>& meetings, const InputSummary& input)
{
    std::string out;
    if (input.first && input.last)
        out += fmt::format("{} event{} from {} file{}, {} to {} UTC\n", input.events,
                           input.events == 1 ? "" : "s", input.files, input.files == 1 ? "" : "s",
                           format_table_time(*input.first), format_table_time(*input.last));
    else
        out += fmt::format("no events in {} file{}\n", input.files, input.files == 1 ? "" : "s");
    if (meetings.empty()) out += "\nNo meetings.\n";
    for (const auto& m : meetings) {
        out += '\n';
        write_meeting(out, m);
    }
    return out;
}

} // namespace boshtap::app::report
