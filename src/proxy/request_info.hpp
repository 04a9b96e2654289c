#pragma once
// Reading what a request says about routing and about its client.
#include "boshtap/proxy/client_ip.hpp"
#include "boshtap/proxy/tap.hpp"

#include <boost/beast/http/fields.hpp>

#include <string>
#include <string_view>

namespace boshtap::proxy {

struct SplitTarget {
    std::string_view path;
    std::string_view query; // without '?'; empty when none
};
// origin-form "/p?q" or absolute-form "http://host/p?q" (RFC 9112 §3.2): the authority of an
// absolute-form target is ignored, only configured upstreams are ever contacted.
SplitTarget split_target(std::string_view target);

// `path` equals `configured`, or `configured` + "/".
bool path_matches(std::string_view path, std::string_view configured);

// upstream path + "?" + incoming query (when there is one).
std::string upstream_target(const std::string& upstream_path, std::string_view query);

// Every X-Forwarded-For field, joined with ", " in order (RFC 9110 §5.3).
std::string joined_forwarded_for(const boost::beast::http::fields& fields);

// `forwarded_for`: joined_forwarded_for(fields), which the caller needs too.
ClientMeta client_meta(const boost::beast::http::fields& fields, std::string_view forwarded_for,
                       std::string_view target, const boost::asio::ip::address& peer,
                       const std::vector<Cidr>& trusted);

} // namespace boshtap::proxy
