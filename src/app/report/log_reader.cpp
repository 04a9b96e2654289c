#include "boshtap/app/report/log_reader.hpp"

#include <fmt/format.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace boshtap::app::report {

namespace {

constexpr std::size_t chunk = 64 * 1024;
// Event lines are a few hundred bytes; anything this long without a newline is not one, and
// must not make the reader hold a whole corrupt file in memory.
constexpr std::size_t max_line = 4 * 1024 * 1024;

std::string errno_text()
{
    return std::strerror(errno);
}

} // namespace

struct LogReader::Inflater {
    z_stream zs{};
    bool member_done = false; // a gzip member ended; another may follow (concatenated gzip)
    bool finished = false;

    Inflater()
    {
        // 16 + 15: gzip wrapper, largest window.
        if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) throw ReadError("out of memory for zlib");
    }
    ~Inflater() { inflateEnd(&zs); }
    Inflater(const Inflater&) = delete;
    Inflater& operator=(const Inflater&) = delete;
};

LogReader::LogReader(const std::string& path) : raw_(chunk)
{
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) throw ReadError(errno_text());
    struct stat st {};
    if (::fstat(fd_, &st) != 0) {
        const auto text = errno_text();
        ::close(fd_);
        throw ReadError(text);
    }
    if (S_ISDIR(st.st_mode)) {
        ::close(fd_);
        throw ReadError("is a directory");
    }
    size_ = static_cast<std::uint64_t>(st.st_size);
    try {
        read_raw();
        if (raw_end_ >= 2 && static_cast<unsigned char>(raw_[0]) == 0x1f &&
            static_cast<unsigned char>(raw_[1]) == 0x8b)
            inflater_ = std::make_unique<Inflater>();
    } catch (...) {
        ::close(fd_);
        throw;
    }
}

LogReader::~LogReader()
{
    if (fd_ >= 0) ::close(fd_);
}

bool LogReader::read_raw()
{
    if (raw_begin_ < raw_end_) return true;
    if (raw_eof_) return false;
    ssize_t n;
    do {
        n = ::read(fd_, raw_.data(), raw_.size());
    } while (n < 0 && errno == EINTR);
    if (n < 0) throw ReadError(errno_text());
    raw_begin_ = 0;
    raw_end_ = static_cast<std::size_t>(n);
    consumed_ += static_cast<std::uint64_t>(n);
    if (n == 0) raw_eof_ = true;
    return n > 0;
}

bool LogReader::inflate_more()
{
    auto& z = *inflater_;
    char out[chunk];
    for (;;) {
        if (z.finished) return false;
        if (z.member_done) {
            // logrotate writes one member; `cat a.gz b.gz` makes several. Anything else after
            // the end (zero padding from a copy) is not log data.
            if (!read_raw() || static_cast<unsigned char>(raw_[raw_begin_]) != 0x1f) {
                z.finished = true;
                return false;
            }
            inflateReset(&z.zs);
            z.member_done = false;
        }
        if (!read_raw()) throw ReadError("truncated gzip data (the file ends inside the stream)");
        z.zs.next_in = reinterpret_cast<Bytef*>(raw_.data() + raw_begin_);
        z.zs.avail_in = static_cast<uInt>(raw_end_ - raw_begin_);
        z.zs.next_out = reinterpret_cast<Bytef*>(out);
        z.zs.avail_out = sizeof out;
        const int rc = inflate(&z.zs, Z_NO_FLUSH);
        const std::size_t consumed = raw_end_ - raw_begin_ - z.zs.avail_in;
        raw_begin_ = raw_end_ - z.zs.avail_in;
        const std::size_t produced = sizeof out - z.zs.avail_out;
        pending_.append(out, produced);
        if (rc == Z_STREAM_END)
            z.member_done = true;
        else if ((rc != Z_OK && rc != Z_BUF_ERROR) || (consumed == 0 && produced == 0))
            // No progress with input and room for output would loop for ever.
            throw ReadError(fmt::format("corrupt gzip data ({})", z.zs.msg ? z.zs.msg : "inflate"));
        if (produced > 0) return true;
    }
}

bool LogReader::fill()
{
    if (inflater_) return inflate_more();
    if (!read_raw()) return false;
    pending_.append(raw_.data() + raw_begin_, raw_end_ - raw_begin_);
    raw_begin_ = raw_end_;
    return true;
}

bool LogReader::next_line(std::string& line)
{
    for (;;) {
        const auto newline = pending_.find('\n', pending_pos_);
        if (newline != std::string::npos) {
            const bool skipped = skipping_long_line_;
            skipping_long_line_ = false;
            if (!skipped) line.assign(pending_, pending_pos_, newline - pending_pos_);
            pending_pos_ = newline + 1;
            if (skipped) continue; // the rest of an overlong line, already returned
            if (!line.empty() && line.back() == '\r') line.pop_back();
            return true;
        }
        pending_.erase(0, pending_pos_);
        pending_pos_ = 0;
        if (pending_.size() > max_line) {
            // Hand out the start (it fails to parse and is counted), drop the rest of it.
            const bool skipped = skipping_long_line_;
            skipping_long_line_ = true;
            if (!skipped) line.assign(pending_, 0, 256);
            pending_.clear();
            if (!skipped) return true;
        }
        if (!fill()) {
            if (pending_.empty() || skipping_long_line_) return false;
            line.swap(pending_); // a last line without a newline (a torn write)
            pending_.clear();
            if (!line.empty() && line.back() == '\r') line.pop_back();
            return true;
        }
    }
}

} // namespace boshtap::app::report
