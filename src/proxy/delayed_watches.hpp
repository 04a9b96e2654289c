#pragma once
// Arms the client-gone watch only for exchanges still open after a short delay. Most BOSH
// exchanges are answered within milliseconds and never need it, while arming it costs an
// epoll_ctl and cancelling it a completion on every request. One timer for all connections of
// a worker, used on its thread only and running only while something is queued; entries are
// never cancelled, a session ignores an entry for an exchange that has already ended. The
// timer fires at most once per tick (a fifth of the delay): under load a request comes every
// few microseconds, and a timer re-armed for each entry would cost a timerfd_settime and a
// handler per request.
#include "executors.hpp"

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

namespace boshtap::proxy {

class HttpSession;

class DelayedWatches : public std::enable_shared_from_this<DelayedWatches> {
public:
    DelayedWatches(IoExecutor io, std::chrono::steady_clock::duration delay);
    // On the worker's thread. The delay after `started`, or up to a tick later, `session` is
    // asked to watch if `exchange` is still open.
    void add(std::weak_ptr<HttpSession> session, std::uint64_t exchange,
             std::chrono::steady_clock::time_point started);

private:
    struct Entry {
        std::chrono::steady_clock::time_point due;
        std::weak_ptr<HttpSession> session;
        std::uint64_t exchange;
    };
    void on_timer();

    const std::chrono::steady_clock::duration delay_;
    const std::chrono::steady_clock::duration tick_;
    IoTimer timer_;
    std::deque<Entry> queue_; // in due order (one delay for all)
    std::vector<Entry> due_;  // on_timer's, kept for its capacity
    bool running_ = false;    // the timer is armed or about to be
};

} // namespace boshtap::proxy
