#include "boshtap/sinks/diagnostics.hpp"

namespace boshtap::sinks {

void Diagnostics::report(std::string_view kind, std::string_view message)
{
    const auto now = std::chrono::steady_clock::now();
    std::uint64_t suppressed = 0;
    {
        std::lock_guard lock(mutex_);
        auto& entry = entries_[std::string(kind)];
        ++entry.total;
        if (entry.total > 1 && now - entry.last < interval_) {
            ++entry.suppressed;
            return;
        }
        suppressed = entry.suppressed;
        entry.suppressed = 0;
        entry.last = now;
    }
    if (suppressed > 0)
        spdlog::warn("{}: {} ({} more like this since the last report)", kind, message,
                     suppressed);
    else
        spdlog::warn("{}: {}", kind, message);
}

std::uint64_t Diagnostics::count(std::string_view kind) const
{
    std::lock_guard lock(mutex_);
    const auto it = entries_.find(std::string(kind));
    return it == entries_.end() ? 0 : it->second.total;
}

} // namespace boshtap::sinks
