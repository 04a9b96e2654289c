#pragma once
// boshtap's own diagnostics (stderr, never the event log), rate-limited per kind so that
// hostile or broken traffic cannot flood the terminal or the journal: the first occurrence of
// each kind is logged, later ones are counted and summarised at most once per interval.
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace boshtap::sinks {

class Diagnostics {
public:
    explicit Diagnostics(std::chrono::seconds interval = std::chrono::seconds(60))
        : interval_(interval) {}

    // Logs `message` at warn level unless `kind` was reported within the interval.
    void report(std::string_view kind, std::string_view message);

    std::uint64_t count(std::string_view kind) const;

private:
    struct Entry {
        std::uint64_t total = 0;
        std::uint64_t suppressed = 0;
        std::chrono::steady_clock::time_point last{};
    };
    std::chrono::seconds interval_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, Entry> entries_;
};

} // namespace boshtap::sinks
