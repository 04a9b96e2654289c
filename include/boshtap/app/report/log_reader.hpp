#pragma once
// Reads an event-log file line by line, plain or gzip-compressed (logrotate's `compress`),
// told apart by the gzip magic bytes rather than the file name.
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace boshtap::app::report {

// The file cannot be opened or its compressed data is corrupt; what() says which.
struct ReadError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class LogReader {
public:
    explicit LogReader(const std::string& path); // throws ReadError
    ~LogReader();
    LogReader(const LogReader&) = delete;
    LogReader& operator=(const LogReader&) = delete;

    // The next line without its `\n` (and a `\r` before it). False at the end of the file.
    // Throws ReadError on corrupt or truncated gzip data.
    bool next_line(std::string& line);

    bool compressed() const noexcept { return inflater_ != nullptr; }
    // Bytes of the file consumed so far and its size, for progress.
    std::uint64_t position() const noexcept { return consumed_; }
    std::uint64_t size() const noexcept { return size_; }

private:
    bool fill(); // appends more decoded bytes to pending_; false at the end
    bool inflate_more();
    bool read_raw(); // refills raw_ when it is used up; false at the end of the file

    struct Inflater;
    int fd_ = -1;
    std::unique_ptr<Inflater> inflater_;
    std::vector<char> raw_;
    std::size_t raw_begin_ = 0, raw_end_ = 0;
    std::string pending_; // decoded bytes not yet returned as lines
    std::size_t pending_pos_ = 0;
    std::uint64_t consumed_ = 0, size_ = 0;
    bool raw_eof_ = false;
    bool skipping_long_line_ = false;
};

} // namespace boshtap::app::report
