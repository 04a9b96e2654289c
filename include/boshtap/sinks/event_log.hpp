#pragma once
// The audit event log: JSON Lines through spdlog's rotating file sink (size + count), flushed
// per line, mode 0640, reopened on request (SIGHUP, so logrotate works too).
//
// Single-threaded by design: the auditor thread is its only user, so the sink needs no lock.
// A failed write (disk full, directory removed) never throws to the caller: the line is counted
// as dropped, reported once, and the file is reopened on the next write, cut back to its last
// whole line first so a torn line never stays in the log.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace spdlog::sinks {
class sink;
}

namespace boshtap::sinks {

struct EventLogOptions {
    std::string path;
    std::size_t max_size = std::size_t{100} << 20; // bytes per file before rotation
    std::size_t max_files = 10;                     // rotated files kept (events.1.jsonl ...)
};

struct EventLogStats {
    std::uint64_t written = 0;
    std::uint64_t dropped = 0;
    std::uint64_t opens = 0; // first open, rotations and reopens
    std::uint64_t write_errors = 0;
};

class EventLog {
public:
    // Opens (creates) the file; throws std::runtime_error naming the path if it cannot.
    explicit EventLog(EventLogOptions);
    ~EventLog();
    EventLog(const EventLog&) = delete;
    EventLog& operator=(const EventLog&) = delete;

    // Appends one line (no trailing newline in `line`). False when the line was dropped.
    bool write(std::string_view line);

    // Opens the file again (after logrotate moved it). The new file is opened before the old
    // one is closed; if opening fails the old one stays in use. False on failure.
    bool reopen();

    // Called about once a second: when the path has stopped naming the open file (moved or
    // deleted, its directory removed) for two calls in a row, reopen it, so events do not
    // vanish into an unlinked file. Two calls: logrotate's rename + create + SIGHUP finishes
    // well within one, and it reopens the file itself.
    void follow_path();

    bool broken() const { return broken_; }

    const EventLogStats& stats() const { return stats_; }
    const std::string& path() const { return options_.path; }

private:
    std::shared_ptr<spdlog::sinks::sink> open_sink();
    bool try_reopen(); // quietly: the caller reports
    bool unlinked() const;

    EventLogOptions options_;
    std::shared_ptr<spdlog::sinks::sink> sink_;
    EventLogStats stats_;
    // Identity of the file open now (for follow_path).
    int fd_ = -1; // owned by the sink; valid while it is open
    std::uint64_t dev_ = 0, ino_ = 0;
    int path_mismatches_ = 0;
    // After a failed write: reopen and try again with every line, count what is dropped;
    // report the failure once and the recovery once, never once per line.
    bool broken_ = false;
    std::uint64_t dropped_while_broken_ = 0;
};

// Makes sure `path` ends with a newline: cuts a trailing partial line (left by a failed write).
// Returns the number of bytes removed. Exposed for tests.
std::size_t trim_partial_line(const std::string& path);

} // namespace boshtap::sinks
