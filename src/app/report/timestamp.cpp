#include "boshtap/app/report/timestamp.hpp"

#include <fmt/format.h>

#include <chrono>

namespace boshtap::app::report {

namespace {

using namespace std::chrono;

// Exactly `digits` decimal digits at `pos`; advances `pos`.
std::optional<int> fixed_number(std::string_view s, std::size_t& pos, std::size_t digits)
{
    if (pos + digits > s.size()) return std::nullopt;
    int value = 0;
    for (std::size_t i = 0; i < digits; ++i) {
        const char c = s[pos + i];
        if (c < '0' || c > '9') return std::nullopt;
        value = value * 10 + (c - '0');
    }
    pos += digits;
    return value;
}

bool expect(std::string_view s, std::size_t& pos, char c)
{
    if (pos >= s.size() || s[pos] != c) return false;
    ++pos;
    return true;
}

std::optional<sys_days> date_at(std::string_view s, std::size_t& pos)
{
    const auto y = fixed_number(s, pos, 4);
    if (!y || !expect(s, pos, '-')) return std::nullopt;
    const auto m = fixed_number(s, pos, 2);
    if (!m || !expect(s, pos, '-')) return std::nullopt;
    const auto d = fixed_number(s, pos, 2);
    if (!d) return std::nullopt;
    const year_month_day ymd{year{*y}, month{static_cast<unsigned>(*m)},
                             day{static_cast<unsigned>(*d)}};
    if (!ymd.ok()) return std::nullopt;
    return sys_days{ymd};
}

} // namespace

std::optional<core::TimePoint> parse_date(std::string_view s)
{
    std::size_t pos = 0;
    const auto date = date_at(s, pos);
    if (!date || pos != s.size()) return std::nullopt;
    return core::TimePoint{*date};
}

std::optional<core::TimePoint> parse_rfc3339(std::string_view s)
{
    std::size_t pos = 0;
    const auto date = date_at(s, pos);
    if (!date || pos >= s.size()) return std::nullopt;
    const char sep = s[pos++];
    if (sep != 'T' && sep != 't' && sep != ' ') return std::nullopt;
    const auto h = fixed_number(s, pos, 2);
    if (!h || !expect(s, pos, ':')) return std::nullopt;
    const auto mi = fixed_number(s, pos, 2);
    if (!mi || !expect(s, pos, ':')) return std::nullopt;
    const auto sec = fixed_number(s, pos, 2);
    // 60 is a leap second: RFC 3339 allows it, the clock here has no room for it.
    if (!sec || *h > 23 || *mi > 59 || *sec > 60) return std::nullopt;
    int millis = 0;
    if (pos < s.size() && s[pos] == '.') {
        ++pos;
        std::size_t digits = 0;
        for (; pos < s.size() && s[pos] >= '0' && s[pos] <= '9'; ++pos, ++digits)
            if (digits < 3) millis = millis * 10 + (s[pos] - '0');
        if (digits == 0) return std::nullopt;
        for (; digits < 3; ++digits) millis *= 10;
    }
    if (pos >= s.size()) return std::nullopt;
    minutes offset{0};
    const char zone = s[pos++];
    if (zone == '+' || zone == '-') {
        const auto oh = fixed_number(s, pos, 2);
        if (!oh || !expect(s, pos, ':')) return std::nullopt;
        const auto om = fixed_number(s, pos, 2);
        if (!om || *oh > 23 || *om > 59) return std::nullopt;
        offset = hours{*oh} + minutes{*om};
        if (zone == '-') offset = -offset;
    } else if (zone != 'Z' && zone != 'z') {
        return std::nullopt;
    }
    if (pos != s.size()) return std::nullopt;
    const auto local = core::TimePoint{*date} + hours{*h} + minutes{*mi} +
                       seconds{std::min(*sec, 59)} + milliseconds{millis};
    return local - offset;
}

std::string format_table_time(core::TimePoint tp)
{
    const auto day = floor<days>(tp);
    const year_month_day ymd{day};
    const hh_mm_ss hms{floor<seconds>(tp - day)};
    return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", static_cast<int>(ymd.year()),
                       static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                       hms.hours().count(), hms.minutes().count(), hms.seconds().count());
}

std::int64_t whole_seconds(core::Duration d) { return round<seconds>(d).count(); }

std::string format_duration(core::Duration d)
{
    const auto total = whole_seconds(d);
    if (total < 0) return "0s";
    const auto h = total / 3600, m = total / 60 % 60, s = total % 60;
    if (h > 0) return fmt::format("{}h {:02}m {:02}s", h, m, s);
    if (m > 0) return fmt::format("{}m {:02}s", m, s);
    return fmt::format("{}s", s);
}

} // namespace boshtap::app::report
