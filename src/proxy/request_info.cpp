#include "request_info.hpp"

#include <boost/beast/core/string.hpp>

namespace boshtap::proxy {

namespace http = boost::beast::http;

SplitTarget split_target(std::string_view target) {
    if (const auto scheme = target.find("://");
        scheme != std::string_view::npos && target.front() != '/') {
        const auto path_start = target.find_first_of("/?", scheme + 3);
        target = path_start == std::string_view::npos ? std::string_view("/")
                                                      : target.substr(path_start);
    }
    const auto q = target.find('?');
    if (q == std::string_view::npos) return {target, {}};
    return {target.substr(0, q), target.substr(q + 1)};
}

bool path_matches(std::string_view path, std::string_view configured) {
    if (path == configured) return true;
    return path.size() == configured.size() + 1 && path.back() == '/' &&
           path.substr(0, configured.size()) == configured;
}

std::string upstream_target(const std::string& upstream_path, std::string_view query) {
    if (query.empty()) return upstream_path;
    std::string out = upstream_path;
    out += '?';
    out += query;
    return out;
}

std::string joined_forwarded_for(const http::fields& fields) {
    std::string out;
    for (const auto& field : fields) {
        if (!boost::beast::iequals(field.name_string(), "x-forwarded-for")) continue;
        if (!out.empty()) out += ", ";
        out += field.value();
    }
    return out;
}

ClientMeta client_meta(const http::fields& fields, std::string_view forwarded_for,
                       std::string_view target, const boost::asio::ip::address& peer,
                       const std::vector<Cidr>& trusted) {
    ClientMeta meta;
    meta.client_ip = resolve_client_ip(peer, forwarded_for, trusted);
    meta.user_agent = std::string(fields[http::field::user_agent]);
    meta.target = std::string(target);
    return meta;
}

} // namespace boshtap::proxy
