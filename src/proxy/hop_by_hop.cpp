#include "boshtap/proxy/hop_by_hop.hpp"

#include <boost/beast/core/string.hpp>

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace boshtap::proxy {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

} // namespace

void strip_hop_by_hop(boost::beast::http::fields& fields) {
    // Connection options name further hop-by-hop fields (RFC 9110 §7.6.1); there may be
    // several Connection lines, each a comma-separated list (§5.3).
    std::vector<std::string> named;
    for (const auto& field : fields) {
        if (!boost::beast::iequals(field.name_string(), "connection")) continue;
        std::string_view value = field.value();
        while (!value.empty()) {
            const auto comma = value.find(',');
            const auto token = trim(value.substr(0, comma));
            if (!token.empty()) named.emplace_back(token);
            value = comma == std::string_view::npos ? std::string_view{} : value.substr(comma + 1);
        }
    }
    for (const auto& name : named) fields.erase(name);

    static constexpr std::array<std::string_view, 7> always{
        "Connection", "Keep-Alive", "Proxy-Connection", "TE",
        "Trailer",    "Transfer-Encoding", "Upgrade"};
    for (const auto name : always) fields.erase(name);
}

} // namespace boshtap::proxy
