#pragma once
// A one-line progress indication on stderr for large inputs (only on a terminal: a redirected
// stderr must not fill up with carriage returns).
#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <string>

namespace boshtap::app::report {

class Progress {
public:
    Progress(std::ostream& err, bool enabled, std::uint64_t total_bytes);
    ~Progress();

    void reading(const std::string& file, std::uint64_t done_bytes, std::size_t events);
    void step(const std::string& what); // a phase without a measure (sorting ...)
    void clear();

private:
    void show(const std::string& text);

    std::ostream& err_;
    bool enabled_;
    std::uint64_t total_;
    std::size_t shown_width_ = 0;
    std::chrono::steady_clock::time_point last_{};
};

} // namespace boshtap::app::report
