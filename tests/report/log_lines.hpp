#pragma once
// Hand-written event logs for the report tests: event lines in the log's format
// (docs/log-format.md), meetings built from them, temporary files (plain and gzip).
#include "boshtap/app/report/attendance.hpp"
#include "boshtap/app/report/timestamp.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <unistd.h>
#include <vector>

namespace report_test {

namespace report = boshtap::app::report;
using boshtap::core::TimePoint;

inline const std::string room = "weekly-sync@muc.meet.jitsi";

// "10:05:00" on the test day, as the log writes it.
inline std::string ts(const std::string& hms)
{
    return "2026-11-25T" + hms + ".000Z";
}

inline TimePoint at(const std::string& hms)
{
    const auto t = report::parse_rfc3339(ts(hms));
    REQUIRE(t);
    return *t;
}

inline std::chrono::milliseconds minutes(int m)
{
    return std::chrono::minutes(m);
}

struct Line {
    std::string time; // HH:MM:SS[.mmm]
    std::string event;
    std::string occupant;
    std::optional<std::string> nick;
    std::optional<std::string> jid = std::nullopt;
    std::optional<std::string> old_nick = std::nullopt;
    std::optional<std::string> old_occupant = std::nullopt;
    std::optional<double> duration_s = std::nullopt;
    std::string in_room = room;
};

inline std::string text(const Line& l)
{
    auto optional = [](const std::optional<std::string>& s) -> boost::json::value {
        if (s) return boost::json::string(*s);
        return nullptr;
    };
    boost::json::object o;
    // "10:05:00", "10:05:00.250" (the test day) or a full "2026-11-26T00:30:00.000"
    o["ts"] = l.time.find('T') != std::string::npos ? l.time + "Z"
              : l.time.size() > 8                   ? "2026-11-25T" + l.time + "Z"
                                                    : ts(l.time);
    o["event"] = l.event;
    o["room"] = l.in_room;
    o["occupant"] = l.occupant;
    o["nick"] = optional(l.nick);
    if (l.event == "nick_change") o["old_nick"] = optional(l.old_nick);
    if (l.old_occupant) o["old_occupant"] = *l.old_occupant;
    if (l.event == "join") o["source"] = "self";
    if (l.event == "leave") o["reason"] = "left";
    if (l.duration_s) o["duration_s"] = *l.duration_s;
    o["jid"] = optional(l.jid);
    o["transport"] = "bosh";
    o["conn"] = "c-" + l.occupant;
    o["client_ip"] = "203.0.113.24";
    o["user_agent"] = "Mozilla/5.0";
    return boost::json::serialize(o);
}

inline std::string join(const std::string& time, const std::string& occupant,
                        std::optional<std::string> nick, std::optional<std::string> jid = {})
{
    return text({time, "join", occupant, std::move(nick), std::move(jid)});
}

inline std::string leave(const std::string& time, const std::string& occupant,
                         std::optional<std::string> nick, std::optional<double> duration_s = {})
{
    Line l{time, "leave", occupant, std::move(nick)};
    l.duration_s = duration_s;
    return text(l);
}

inline std::string rename(const std::string& time, const std::string& occupant,
                          std::optional<std::string> from, std::optional<std::string> to)
{
    Line l{time, "nick_change", occupant, std::move(to)};
    l.old_nick = std::move(from);
    return text(l);
}

inline std::string in_room(std::string line, const std::string& other_room)
{
    const auto pos = line.find(room);
    return line.replace(pos, room.size(), other_room);
}

// Lines of one or more files (index = file) -> sorted events -> meetings.
struct Timeline {
    report::StringPool pool;
    std::vector<report::LogEvent> events;

    void add(const std::vector<std::string>& lines, std::uint32_t file = 0)
    {
        std::string error;
        for (const auto& line : lines) {
            auto e = report::parse_event_line(line, pool, error);
            INFO(line << ": " << error);
            REQUIRE(e);
            e->file = file;
            events.push_back(*e);
        }
    }

    std::vector<report::Meeting> meetings()
    {
        report::sort_events(events);
        return report::build_meetings(events);
    }
};

inline std::vector<report::Meeting> meetings_of(const std::vector<std::string>& lines)
{
    Timeline t;
    t.add(lines);
    return t.meetings();
}

inline const report::Participant& named(const report::Meeting& m, const std::string& name)
{
    for (const auto& p : m.participants)
        for (const auto& n : p.names)
            if (n == name) return p;
    FAIL("no participant named " << name);
    throw std::logic_error("unreachable");
}

// A directory removed with everything in it at the end of the test.
class TempDir {
public:
    TempDir()
    {
        static int counter = 0;
        path_ =
            std::filesystem::temp_directory_path() /
            ("boshtap-report-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        std::filesystem::create_directories(path_);
    }
    ~TempDir() { std::filesystem::remove_all(path_); }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    std::string write(const std::string& name, const std::string& content) const
    {
        const auto p = path_ / name;
        std::ofstream(p, std::ios::binary) << content;
        return p.string();
    }

    std::string write_gzip(const std::string& name, const std::string& content) const
    {
        const auto p = (path_ / name).string();
        gzFile f = gzopen(p.c_str(), "wb");
        REQUIRE(f);
        REQUIRE(gzwrite(f, content.data(), static_cast<unsigned>(content.size())) ==
                static_cast<int>(content.size()));
        gzclose(f);
        return p;
    }

    std::string path(const std::string& name) const { return (path_ / name).string(); }

private:
    std::filesystem::path path_;
};

inline std::string lines(const std::vector<std::string>& ls)
{
    std::string out;
    for (const auto& l : ls) out += l + '\n';
    return out;
}

} // namespace report_test
