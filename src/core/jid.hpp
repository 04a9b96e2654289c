#pragma once
// JID parts (RFC 7622 §3.1): the resource is everything after the first '/'.
#include <string_view>

namespace boshtap::core {

struct JidParts {
    std::string_view bare;     // localpart@domainpart, or domainpart
    std::string_view resource; // empty if none
};

constexpr JidParts split_jid(std::string_view jid) noexcept
{
    const auto slash = jid.find('/');
    if (slash == std::string_view::npos) return {jid, {}};
    return {jid.substr(0, slash), jid.substr(slash + 1)};
}

constexpr std::string_view jid_local(std::string_view jid) noexcept
{
    const auto bare = split_jid(jid).bare;
    const auto at = bare.find('@');
    return at == std::string_view::npos ? std::string_view{} : bare.substr(0, at);
}

} // namespace boshtap::core
