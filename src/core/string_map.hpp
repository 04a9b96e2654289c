#pragma once
// Hash containers keyed by std::string that can be searched with a std::string_view (C++20
// heterogeneous lookup), so that looking up a JID taken from a parsed stanza allocates nothing.
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

namespace boshtap::core {

struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept
    {
        return std::hash<std::string_view>{}(s);
    }
};

template <class V>
using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;
using StringSet = std::unordered_set<std::string, StringHash, std::equal_to<>>;

} // namespace boshtap::core
