#include "boshtap/app/report/timestamp.hpp"

#include <catch2/catch.hpp>

using namespace boshtap::app::report;
using namespace std::chrono;
using boshtap::core::TimePoint;

namespace {

TimePoint utc(int y, unsigned mo, unsigned d, int h, int mi, int s, int ms = 0)
{
    return TimePoint{sys_days{year{y} / month{mo} / day{d}}} + hours{h} + minutes{mi} + seconds{s} +
           milliseconds{ms};
}

} // namespace

TEST_CASE("RFC 3339 times as the log writes them and as people type them", "[time]")
{
    CHECK(parse_rfc3339("2026-11-25T22:20:10.123Z") == utc(2026, 11, 25, 22, 20, 10, 123));
    CHECK(parse_rfc3339("2026-11-25T22:20:10Z") == utc(2026, 11, 25, 22, 20, 10));
    CHECK(parse_rfc3339("2026-11-25t22:20:10.5z") == utc(2026, 11, 25, 22, 20, 10, 500));
    CHECK(parse_rfc3339("2026-11-25 22:20:10.123456Z") == utc(2026, 11, 25, 22, 20, 10, 123));
    CHECK(parse_rfc3339("2026-11-25T23:20:10+01:00") == utc(2026, 11, 25, 22, 20, 10));
    CHECK(parse_rfc3339("2026-11-25T20:50:10-01:30") == utc(2026, 11, 25, 22, 20, 10));
    CHECK(parse_rfc3339("2026-11-26T00:20:10+02:00") == utc(2026, 11, 25, 22, 20, 10));
}

TEST_CASE("invalid times are refused", "[time]")
{
    for (const char* bad : {"", "2026-11-25", "2026-11-25T22:20:10", "2026-13-01T00:00:00Z",
                            "2026-02-30T00:00:00Z", "2026-11-25T24:00:00Z", "2026-11-25T22:20Z",
                            "2026-11-25T22:20:10.Z", "2026-11-25T22:20:10Zjunk",
                            "2026-11-25T22:20:10+0100", "26-11-25T22:20:10Z", "yesterday"}) {
        INFO(bad);
        CHECK_FALSE(parse_rfc3339(bad));
    }
}

TEST_CASE("dates are midnight UTC", "[time]")
{
    CHECK(parse_date("2026-11-25") == utc(2026, 11, 25, 0, 0, 0));
    CHECK(parse_date("2024-02-29") == utc(2024, 2, 29, 0, 0, 0));
    CHECK_FALSE(parse_date("2026-02-29"));
    CHECK_FALSE(parse_date("2026-11-25T00:00:00Z"));
    CHECK_FALSE(parse_date("2026-1-5"));
}

TEST_CASE("times and durations for the table", "[time]")
{
    CHECK(format_table_time(utc(2026, 11, 25, 8, 5, 3, 999)) == "2026-11-25 08:05:03");
    CHECK(format_duration(milliseconds(12'499)) == "12s");
    CHECK(format_duration(milliseconds(12'500)) == "12s"); // half to even
    CHECK(format_duration(milliseconds(59'999)) == "1m 00s");
    CHECK(whole_seconds(milliseconds(149'107)) == 149);
    CHECK(whole_seconds(milliseconds(149'600)) == 150);
    CHECK(format_duration(minutes(4) + seconds(9)) == "4m 09s");
    CHECK(format_duration(hours(26) + minutes(2) + seconds(5)) == "26h 02m 05s");
    CHECK(format_duration(milliseconds(-5)) == "0s");
}
