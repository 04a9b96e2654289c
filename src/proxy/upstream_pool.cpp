#include "upstream_pool.hpp"

#include "socket_peek.hpp"

namespace boshtap::proxy {

namespace {

constexpr auto kTrustedIdle = std::chrono::seconds(1);

// A pooled connection the server has closed (FIN pending) or that holds unexpected bytes is
// useless; a non-blocking peek finds out without disturbing a healthy one.
bool looks_open(IoSocket& socket) {
    return socket.is_open() && peek_socket(socket.native_handle()) == Peeked::nothing;
}

} // namespace

UpstreamPool::UpstreamPool(std::size_t max_idle, std::chrono::steady_clock::duration idle_ttl)
    : max_idle_(max_idle), idle_ttl_(idle_ttl) {}

std::optional<IoSocket> UpstreamPool::take(const std::string& key) {
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(mutex_);
    auto it = idle_.find(key);
    if (it == idle_.end()) return std::nullopt;
    auto& list = it->second;
    // Most recently used first: the likeliest to be alive; the old ones age out.
    while (!list.empty()) {
        Idle entry = std::move(list.back());
        list.pop_back();
        const auto idle_for = now - entry.since;
        // Returned a moment ago (the usual case under load): not worth a syscall to check; if
        // the server did close it, the exchange's one retry on a fresh connection covers it.
        if (idle_for < kTrustedIdle && entry.socket.is_open()) return std::move(entry.socket);
        if (idle_for <= idle_ttl_ && looks_open(entry.socket)) return std::move(entry.socket);
        boost::system::error_code ignored;
        entry.socket.close(ignored);
    }
    return std::nullopt;
}

void UpstreamPool::give(const std::string& key, IoSocket socket) {
    std::lock_guard lock(mutex_);
    auto& list = idle_[key];
    if (max_idle_ == 0) return; // the socket closes as it goes out of scope
    if (list.size() >= max_idle_) {
        boost::system::error_code ignored;
        list.front().socket.close(ignored);
        list.pop_front();
    }
    list.push_back(Idle{std::move(socket), std::chrono::steady_clock::now()});
}

void UpstreamPool::clear() {
    std::lock_guard lock(mutex_);
    for (auto& [key, list] : idle_)
        for (auto& entry : list) {
            boost::system::error_code ignored;
            entry.socket.close(ignored);
        }
    idle_.clear();
}

std::size_t UpstreamPool::idle() const {
    std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (const auto& [key, list] : idle_) n += list.size();
    return n;
}

} // namespace boshtap::proxy
