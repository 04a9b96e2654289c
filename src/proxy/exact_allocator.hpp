#pragma once
// Waits that stay pending while a long-poll is held get memory of exactly their size. Asio's
// default handler memory comes from a per-thread cache of freed blocks that hands a handler any
// cached block big enough (up to ~2 KiB, e.g. one freed by an HTTP read), which is right for
// the operations of a busy exchange but not for a wait that then sits in that block for a
// minute, once per held request.
#include <boost/asio/bind_allocator.hpp>

#include <cstddef>
#include <memory>
#include <utility>

namespace boshtap::proxy {

template <class T> struct ExactAllocator {
    using value_type = T;
    ExactAllocator() = default;
    template <class U> ExactAllocator(const ExactAllocator<U>&) noexcept {}
    T* allocate(std::size_t n) { return std::allocator<T>().allocate(n); }
    void deallocate(T* p, std::size_t n) noexcept { std::allocator<T>().deallocate(p, n); }
    template <class U> bool operator==(const ExactAllocator<U>&) const noexcept { return true; }
};

// `handler` with its operation's memory allocated exactly (see above).
template <class Handler> auto exact_memory(Handler&& handler) {
    return boost::asio::bind_allocator(ExactAllocator<void>(), std::forward<Handler>(handler));
}

} // namespace boshtap::proxy
