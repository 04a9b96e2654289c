#include "boshtap/proxy/hop_by_hop.hpp"

#include <boost/beast/core/string.hpp>

#include <algorithm>

namespace boshtap::proxy {

namespace http = boost::beast::http;

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

} // namespace

HopByHop::HopByHop(const http::fields& fields) {
    // Connection options name further hop-by-hop fields (RFC 9110 §7.6.1); there may be
    // several Connection lines, each a comma-separated list (§5.3).
    for (const auto& field : fields) {
        if (field.name() != http::field::connection) continue;
        std::string_view value = field.value();
        while (!value.empty()) {
            const auto comma = value.find(',');
            const auto token = trim(value.substr(0, comma));
            if (!token.empty()) named_.emplace_back(token);
            value = comma == std::string_view::npos ? std::string_view{} : value.substr(comma + 1);
        }
    }
}

bool HopByHop::operator()(const http::fields::value_type& field) const {
    // The fixed set by Beast's field code (the parser has already matched the name).
    switch (field.name()) {
    case http::field::connection:
    case http::field::keep_alive:
    case http::field::proxy_connection:
    case http::field::te:
    case http::field::trailer:
    case http::field::transfer_encoding:
    case http::field::upgrade:
        return true;
    default:
        break;
    }
    return std::any_of(named_.begin(), named_.end(), [&](const std::string& name) {
        return boost::beast::iequals(field.name_string(), name);
    });
}

void strip_hop_by_hop(http::fields& fields) {
    const HopByHop hop_by_hop(fields);
    for (auto it = fields.begin(); it != fields.end();)
        it = hop_by_hop(*it) ? fields.erase(it) : std::next(it);
}

} // namespace boshtap::proxy
