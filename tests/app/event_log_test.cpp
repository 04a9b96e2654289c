#include "boshtap/sinks/event_log.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

namespace fs = std::filesystem;
using boshtap::sinks::EventLog;
using boshtap::sinks::trim_partial_line;

namespace {

struct TempDir {
    fs::path path;
    TempDir()
    {
        char tmpl[] = "/tmp/boshtap-log-XXXXXX";
        path = ::mkdtemp(tmpl);
    }
    ~TempDir() { fs::remove_all(path); }
};

std::string slurp(const fs::path& p)
{
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

} // namespace

TEST_CASE("lines are appended whole, one per write, mode 0640", "[event_log]")
{
    TempDir dir;
    const auto file = dir.path / "events.jsonl";
    {
        EventLog log({file.string(), 1 << 20, 3});
        CHECK(log.write(R"({"event":"join"})"));
        CHECK(log.write(R"({"event":"leave"})"));
        // flushed per line: readable before the log is closed
        CHECK(slurp(file) == "{\"event\":\"join\"}\n{\"event\":\"leave\"}\n");
        CHECK(log.stats().written == 2);
    }
    struct stat st {};
    REQUIRE(::stat(file.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0640);
}

TEST_CASE("rotation by size keeps the configured number of files", "[event_log]")
{
    TempDir dir;
    const auto file = dir.path / "events.jsonl";
    EventLog log({file.string(), 100, 2});
    const std::string line(40, 'x');
    for (int i = 0; i < 10; ++i) REQUIRE(log.write(line));
    CHECK(fs::exists(dir.path / "events.jsonl"));
    CHECK(fs::exists(dir.path / "events.1.jsonl"));
    CHECK(fs::exists(dir.path / "events.2.jsonl"));
    CHECK_FALSE(fs::exists(dir.path / "events.3.jsonl"));
    CHECK(slurp(dir.path / "events.1.jsonl").size() % (line.size() + 1) == 0);
}

TEST_CASE("reopen follows logrotate's rename", "[event_log]")
{
    TempDir dir;
    const auto file = dir.path / "events.jsonl";
    EventLog log({file.string(), 1 << 20, 3});
    REQUIRE(log.write("one"));
    fs::rename(file, dir.path / "events.jsonl.old");
    REQUIRE(log.write("two")); // still the renamed file
    REQUIRE(log.reopen());
    REQUIRE(log.write("three"));
    CHECK(slurp(dir.path / "events.jsonl.old") == "one\ntwo\n");
    CHECK(slurp(file) == "three\n");
}

TEST_CASE("a failed reopen keeps the old file", "[event_log]")
{
    TempDir dir;
    const auto sub = dir.path / "sub";
    fs::create_directory(sub);
    const auto file = sub / "events.jsonl";
    EventLog log({file.string(), 1 << 20, 3});
    REQUIRE(log.write("one"));
    fs::rename(sub, dir.path / "moved");
    std::ofstream(sub) << "a file where the log directory was";
    CHECK_FALSE(log.reopen());
    CHECK(log.write("two"));
    CHECK(slurp(dir.path / "moved" / "events.jsonl") == "one\ntwo\n");
}

TEST_CASE("an unopenable path fails at start with the path in the message", "[event_log]")
{
    try {
        EventLog log({"/etc/hostname/events.jsonl", 1 << 20, 3});
        FAIL("no exception");
    } catch (const std::runtime_error& e) {
        CHECK(std::string(e.what()).find("/etc/hostname/events.jsonl") != std::string::npos);
    }
}

TEST_CASE("a torn last line is cut back to the last whole line", "[event_log]")
{
    TempDir dir;
    const auto file = dir.path / "events.jsonl";
    {
        std::ofstream out(file, std::ios::binary);
        out << "{\"a\":1}\n{\"b\":2}\n{\"c\":";
    }
    CHECK(trim_partial_line(file.string()) == 5);
    CHECK(slurp(file) == "{\"a\":1}\n{\"b\":2}\n");
    CHECK(trim_partial_line(file.string()) == 0);
    {
        std::ofstream out(file, std::ios::binary | std::ios::app);
        out << "no newline at all";
    }
    EventLog log({file.string(), 1 << 20, 3}); // opening trims too
    REQUIRE(log.write("{\"d\":4}"));
    CHECK(slurp(file) == "{\"a\":1}\n{\"b\":2}\n{\"d\":4}\n");
}

TEST_CASE("a deleted log directory is noticed and the file created again", "[event_log]")
{
    TempDir dir;
    const auto sub = dir.path / "logs";
    const auto file = sub / "events.jsonl";
    EventLog log({file.string(), 1 << 20, 3});
    REQUIRE(log.write("one"));
    fs::remove_all(sub);
    REQUIRE(log.write("two")); // the deleted file is noticed before writing: created again
    CHECK(slurp(file) == "two\n");
    CHECK(log.stats().opens == 2);
}

TEST_CASE("a log renamed without SIGHUP is reopened on the second look", "[event_log]")
{
    TempDir dir;
    const auto file = dir.path / "events.jsonl";
    EventLog log({file.string(), 1 << 20, 3});
    REQUIRE(log.write("one"));
    fs::rename(file, dir.path / "moved.jsonl");
    log.follow_path(); // first look: could be logrotate between rename and SIGHUP
    REQUIRE(log.write("two"));
    log.follow_path(); // second: reopen
    REQUIRE(log.write("three"));
    CHECK(slurp(dir.path / "moved.jsonl") == "one\ntwo\n");
    CHECK(slurp(file) == "three\n");
}

TEST_CASE("follow_path leaves a file that is still in place alone", "[event_log]")
{
    TempDir dir;
    const auto file = dir.path / "events.jsonl";
    EventLog log({file.string(), 1 << 20, 3});
    REQUIRE(log.write("one"));
    for (int i = 0; i < 3; ++i) log.follow_path();
    REQUIRE(log.write("two"));
    CHECK(log.stats().opens == 1);
    CHECK(slurp(file) == "one\ntwo\n");
}
