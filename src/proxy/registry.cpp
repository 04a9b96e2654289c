#include "registry.hpp"

#include <vector>

namespace boshtap::proxy {

bool Registry::add(const void* key, std::weak_ptr<Closable> item) {
    std::lock_guard lock(mutex_);
    items_.emplace(key, std::move(item));
    return draining_;
}

void Registry::remove(const void* key) {
    std::function<void()> callback;
    {
        std::lock_guard lock(mutex_);
        items_.erase(key);
        if (draining_ && items_.empty()) callback = on_drained_;
    }
    if (callback) callback();
}

void Registry::shutdown_all(bool hard) {
    std::vector<std::shared_ptr<Closable>> live;
    std::function<void()> callback;
    {
        std::lock_guard lock(mutex_);
        draining_ = true;
        for (auto& [key, weak] : items_)
            if (auto item = weak.lock()) live.push_back(std::move(item));
        if (items_.empty()) callback = on_drained_;
    }
    for (auto& item : live) item->shutdown(hard);
    if (callback) callback();
}

void Registry::on_drained(std::function<void()> callback) {
    std::lock_guard lock(mutex_);
    on_drained_ = std::move(callback);
}

std::size_t Registry::size() const {
    std::lock_guard lock(mutex_);
    return items_.size();
}

} // namespace boshtap::proxy
