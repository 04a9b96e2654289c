#pragma once
// Copies from the relay threads to the auditor thread, in arrival order. A relay wakes the
// auditor only when it is asleep; while awake, the auditor takes whole batches on its own
// (see Auditor::drain), so a busy relay thread hands copies over with a lock and a push, no
// system call.
#include "boshtap/core/bosh_tap.hpp"

#include <cstdint>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace boshtap::app {

struct AuditCopy {
    enum class Kind : std::uint8_t { request, response, failed, ws_open, ws_message, ws_closed };
    Kind kind = Kind::failed;
    bool from_client = false;
    unsigned status = 0;
    std::uint64_t id = 0;     // exchange or WebSocket connection
    std::size_t charged = 0;  // bytes counted against the queue limit (0: not counted)
    core::TimePoint at{};
    core::HttpMeta meta;      // request, ws_open
    std::string encoding;     // response
    std::string body;         // request, response, ws_message
};

class AuditInbox {
public:
    // True when the auditor is asleep: the caller must wake it.
    bool push(AuditCopy&& copy) {
        std::lock_guard lock(mutex_);
        queue_.push_back(std::move(copy));
        return !std::exchange(awake_, true);
    }
    // Everything queued, in order, into `batch` (which must be empty; its capacity is reused).
    // Nothing queued: false, and the auditor counts as asleep until the next push.
    bool take(std::vector<AuditCopy>& batch) {
        std::lock_guard lock(mutex_);
        if (queue_.empty()) {
            awake_ = false;
            return false;
        }
        batch.swap(queue_);
        return true;
    }

private:
    std::mutex mutex_;
    std::vector<AuditCopy> queue_;
    bool awake_ = false;
};

} // namespace boshtap::app
