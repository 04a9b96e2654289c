#pragma once
// Live connections, so stop() can drain them. Each entry closes itself on its own worker.
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace boshtap::proxy {

class Closable {
public:
    virtual ~Closable() = default;
    // hard = false: finish what is in flight, then close (drain). hard = true: close now.
    // Thread-safe: implementations post to their worker.
    virtual void shutdown(bool hard) = 0;
};

class Registry {
public:
    // Returns true when the server is already draining (the caller should shut down soon).
    bool add(const void* key, std::weak_ptr<Closable> item);
    void remove(const void* key);
    // Marks the registry as draining and asks every entry to shut down.
    void shutdown_all(bool hard);
    // Called (from whichever thread removes the last entry) once draining and empty.
    void on_drained(std::function<void()> callback);
    std::size_t size() const;

private:
    mutable std::mutex mutex_;
    std::unordered_map<const void*, std::weak_ptr<Closable>> items_;
    bool draining_ = false;
    std::function<void()> on_drained_;
};

} // namespace boshtap::proxy
