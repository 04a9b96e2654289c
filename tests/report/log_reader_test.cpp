#include "boshtap/app/report/log_reader.hpp"
#include "log_lines.hpp"

using namespace report_test;
using report::LogReader;
using report::ReadError;

namespace {

std::vector<std::string> all_lines(const std::string& path)
{
    LogReader reader(path);
    std::vector<std::string> out;
    std::string line;
    while (reader.next_line(line)) out.push_back(line);
    return out;
}

} // namespace

TEST_CASE("plain files: LF, CRLF, a last line without newline", "[reader]")
{
    TempDir dir;
    const auto path = dir.write("events.jsonl", "one\ntwo\r\n\nthree");
    CHECK(all_lines(path) == std::vector<std::string>{"one", "two", "", "three"});
    CHECK_FALSE(LogReader(path).compressed());
    CHECK(all_lines(dir.write("empty.jsonl", "")).empty());
}

TEST_CASE("gzip is recognised by its magic bytes, not the name", "[reader]")
{
    TempDir dir;
    std::string big;
    for (int i = 0; i < 50000; ++i) big += "line " + std::to_string(i) + '\n'; // many chunks
    const auto gz = dir.write_gzip("events.1.jsonl", big);
    LogReader reader(gz);
    CHECK(reader.compressed());
    const auto got = all_lines(gz);
    REQUIRE(got.size() == 50000);
    CHECK(got.front() == "line 0");
    CHECK(got.back() == "line 49999");

    const auto plain = dir.write("events.2.jsonl.gz", "not compressed\n");
    CHECK(all_lines(plain) == std::vector<std::string>{"not compressed"});
}

TEST_CASE("concatenated gzip members are read to the end", "[reader]")
{
    TempDir dir;
    const auto a = dir.write_gzip("a.gz", "first\n");
    const auto b = dir.write_gzip("b.gz", "second\n");
    std::ifstream ia(a, std::ios::binary), ib(b, std::ios::binary);
    std::ostringstream both;
    both << ia.rdbuf() << ib.rdbuf();
    CHECK(all_lines(dir.write("ab.gz", both.str())) == std::vector<std::string>{"first", "second"});
}

TEST_CASE("unreadable files and damaged gzip data are errors", "[reader]")
{
    TempDir dir;
    CHECK_THROWS_WITH(LogReader(dir.path("missing.jsonl")), Catch::Contains("No such file"));
    CHECK_THROWS_WITH(LogReader(dir.path("")), Catch::Contains("directory"));

    std::string content;
    for (int i = 0; i < 2000; ++i) content += "event line number " + std::to_string(i) + '\n';
    const auto gz = dir.write_gzip("whole.gz", content);
    std::ifstream in(gz, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());

    const auto truncated = dir.write("truncated.gz", bytes.substr(0, bytes.size() / 2));
    {
        LogReader reader(truncated);
        std::string line;
        std::size_t read = 0;
        CHECK_THROWS_WITH(
            [&] {
                while (reader.next_line(line)) ++read;
            }(),
            Catch::Contains("truncated"));
        CHECK(read > 0); // what came before the damage was delivered
    }
    std::string corrupt = bytes;
    for (std::size_t i = 20; i < 60; ++i) corrupt[i] = static_cast<char>(corrupt[i] ^ 0x5a);
    const auto corrupt_path = dir.write("corrupt.gz", corrupt);
    CHECK_THROWS_AS(all_lines(corrupt_path), ReadError);
}

TEST_CASE("an endless line is cut, not held in memory", "[reader]")
{
    TempDir dir;
    const auto path = dir.write("junk", std::string(6 << 20, 'x') + "\nafter\n");
    const auto got = all_lines(path);
    REQUIRE(got.size() == 2);
    CHECK(got[0].size() < 1024);
    CHECK(got[1] == "after");
}
