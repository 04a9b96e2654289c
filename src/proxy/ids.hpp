#pragma once
#include <cstdint>

namespace boshtap::proxy {

// Exchange and WebSocket connection ids: one process-wide counter, so ids never repeat even
// across several Server instances.
std::uint64_t next_id();

} // namespace boshtap::proxy
