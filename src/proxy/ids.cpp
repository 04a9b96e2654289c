#include "ids.hpp"

#include <atomic>

namespace boshtap::proxy {

std::uint64_t next_id() {
    static std::atomic<std::uint64_t> counter{0};
    return counter.fetch_add(1, std::memory_order_relaxed) + 1;
}

} // namespace boshtap::proxy
