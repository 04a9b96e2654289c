#pragma once
// Copies from the relay threads to the auditor thread, in arrival order. The relay wakes the
// auditor only when the inbox goes from empty to non-empty; the auditor then takes the whole
// batch in one swap. One wake-up (and one lock round trip on the auditor side) per batch
// instead of one per copy.
#include "boshtap/core/bosh_tap.hpp"

#include <cstdint>
#include <mutex>
#include <string>
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
    // True when the inbox was empty: the caller must wake the auditor.
    bool push(AuditCopy&& copy) {
        std::lock_guard lock(mutex_);
        queue_.push_back(std::move(copy));
        return queue_.size() == 1;
    }
    // Everything queued, in order, into `batch` (which must be empty; its capacity is reused).
    void take(std::vector<AuditCopy>& batch) {
        std::lock_guard lock(mutex_);
        batch.swap(queue_);
    }

private:
    std::mutex mutex_;
    std::vector<AuditCopy> queue_;
};

} // namespace boshtap::app
