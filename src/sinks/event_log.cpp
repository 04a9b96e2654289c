#include "boshtap/sinks/event_log.hpp"

#include <spdlog/details/log_msg.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <string_view>
#include <sys/stat.h>
#include <unistd.h>

namespace boshtap::sinks {

namespace {

constexpr mode_t event_log_mode = 0640; // readable by the log group (adm), not by everyone

} // namespace

std::size_t trim_partial_line(const std::string& path)
{
    const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) return 0;
    struct stat st {};
    std::size_t removed = 0;
    if (::fstat(fd, &st) == 0 && st.st_size > 0) {
        // Scan back from the end in blocks for the last newline.
        off_t end = st.st_size;
        off_t keep = 0;
        char block[4096];
        while (end > 0) {
            const off_t start = end > static_cast<off_t>(sizeof block) ? end - sizeof block : 0;
            const auto len = static_cast<std::size_t>(end - start);
            if (::pread(fd, block, len, start) != static_cast<ssize_t>(len)) break;
            const void* nl = ::memrchr(block, '\n', len);
            if (nl != nullptr) {
                keep = start + (static_cast<const char*>(nl) - block) + 1;
                break;
            }
            end = start;
        }
        if (keep < st.st_size && ::ftruncate(fd, keep) == 0)
            removed = static_cast<std::size_t>(st.st_size - keep);
    }
    ::close(fd);
    return removed;
}

EventLog::EventLog(EventLogOptions options) : options_(std::move(options))
{
    if (options_.path.empty()) throw std::runtime_error("no event log path given");
    if (options_.max_size == 0) throw std::runtime_error("event log max size must be > 0");
    trim_partial_line(options_.path);
    try {
        sink_ = open_sink();
    } catch (const std::exception& e) {
        throw std::runtime_error("cannot open event log " + options_.path + ": " + e.what());
    }
}

EventLog::~EventLog()
{
    if (sink_) {
        try {
            sink_->flush();
        } catch (...) { // nothing left to do with a failing disk at exit
        }
    }
}

std::shared_ptr<spdlog::sinks::sink> EventLog::open_sink()
{
    spdlog::file_event_handlers handlers;
    handlers.after_open = [this](const spdlog::filename_t&, std::FILE* file) {
        ::fchmod(::fileno(file), event_log_mode);
        struct stat st {};
        fd_ = ::fileno(file);
        if (::fstat(fd_, &st) == 0) {
            dev_ = st.st_dev;
            ino_ = st.st_ino;
        }
        ++stats_.opens;
    };
    auto sink = std::make_shared<spdlog::sinks::rotating_file_sink_st>(
        options_.path, options_.max_size, options_.max_files, false, handlers);
    // The payload is the whole line: no timestamp or level decoration from spdlog.
    sink->set_formatter(std::make_unique<spdlog::pattern_formatter>(
        "%v", spdlog::pattern_time_type::utc, std::string("\n")));
    return sink;
}

bool EventLog::write(std::string_view line)
{
    if (broken_) {
        // Every line tries again (events are few; a line must not be dropped once the disk
        // has room), but the failure is reported once and the recovery once.
        if (!try_reopen()) {
            ++stats_.dropped;
            ++dropped_while_broken_;
            return false;
        }
    } else if (unlinked()) {
        // The file was deleted (its directory removed): a line written now would be lost
        // without a trace. One fstat per event line is cheap next to the write itself.
        if (!try_reopen()) {
            spdlog::error("event log {}: the file was deleted and cannot be created again; "
                          "events are counted as dropped until it can",
                          options_.path);
            broken_ = true;
            ++stats_.dropped;
            ++dropped_while_broken_;
            return false;
        }
        spdlog::warn("event log {}: the file was deleted; created again", options_.path);
    }
    try {
        spdlog::details::log_msg msg(spdlog::source_loc{}, "events", spdlog::level::info,
                                     spdlog::string_view_t(line.data(), line.size()));
        try {
            sink_->log(msg);
        } catch (const spdlog::spdlog_ex& e) {
            // The size rotation renames the file; when logrotate has moved it away a moment
            // before, that rename fails. spdlog has then opened a fresh file but not written
            // the line (it throws before the write), so the line goes there, once.
            if (!std::string_view(e.what()).starts_with("rotating_file_sink: failed renaming"))
                throw;
            sink_->log(msg);
        }
        sink_->flush(); // an audit line is on disk (in the kernel) before the next one
        ++stats_.written;
        if (broken_) {
            spdlog::info("event log {}: writing again ({} events were dropped)", options_.path,
                         dropped_while_broken_);
            broken_ = false;
            dropped_while_broken_ = 0;
        }
        return true;
    } catch (const std::exception& e) {
        ++stats_.write_errors;
        ++stats_.dropped;
        ++dropped_while_broken_;
        if (!broken_)
            spdlog::error("event log {}: write failed: {}; events are counted as dropped until "
                          "writing works again (forwarding is not affected)",
                          options_.path, e.what());
        broken_ = true;
        return false;
    }
}

bool EventLog::unlinked() const
{
    struct stat st {};
    return fd_ >= 0 && ::fstat(fd_, &st) == 0 && st.st_nlink == 0;
}

bool EventLog::try_reopen()
{
    // Open the new file first; keep the old sink if that fails (nghttpx's reopen pattern).
    std::shared_ptr<spdlog::sinks::sink> fresh;
    try {
        fresh = open_sink();
    } catch (const std::exception&) {
        return false;
    }
    // Closing the old file flushes what its buffer still holds, which after a failed write can
    // be part of a line; cutting the file back to its last newline afterwards keeps every line
    // whole (the new sink appends, so it writes after the cut).
    sink_.reset();
    sink_ = std::move(fresh);
    trim_partial_line(options_.path);
    path_mismatches_ = 0;
    return true;
}

bool EventLog::reopen()
{
    if (try_reopen()) return true;
    if (!broken_) spdlog::error("event log {}: reopen failed; still writing to the old file",
                                options_.path);
    return false;
}

void EventLog::follow_path()
{
    if (broken_) return; // the next write reopens anyway
    struct stat st {};
    const bool same = ::stat(options_.path.c_str(), &st) == 0 &&
                      static_cast<std::uint64_t>(st.st_dev) == dev_ &&
                      static_cast<std::uint64_t>(st.st_ino) == ino_;
    if (same) {
        path_mismatches_ = 0;
        return;
    }
    if (++path_mismatches_ < 2) return;
    if (try_reopen()) {
        spdlog::warn("event log {}: the file was moved or deleted without SIGHUP; reopened",
                     options_.path);
        return;
    }
    // Lines written to an unlinked file are lost: count them as dropped while retrying.
    spdlog::error("event log {}: the file was moved or deleted and cannot be created again; "
                  "events are counted as dropped until it can",
                  options_.path);
    broken_ = true;
}

} // namespace boshtap::sinks
