#pragma once
// Who is the client? nginx (and any proxy in front of it) appends the address it saw to
// X-Forwarded-For; only hops we trust may vouch for the next one to the left.
#include <boost/asio/ip/address.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace boshtap::proxy {

struct Cidr {
    boost::asio::ip::address network; // IPv4-mapped IPv6 is stored as IPv4
    unsigned prefix = 0;              // 0..32 (v4) or 0..128 (v6)
};

// "10.0.0.0/8", "::1/128", or a bare address (a host route). Throws std::invalid_argument.
Cidr parse_cidr(std::string_view text);
std::vector<Cidr> parse_cidrs(const std::vector<std::string>& texts);

// ::ffff:a.b.c.d -> a.b.c.d, so a dual-stack listener matches IPv4 CIDRs.
boost::asio::ip::address unmap(const boost::asio::ip::address& address);

// address.to_string(), for IPv4 without the sprintf that inet_ntop makes per call (twice per
// forwarded request: the client's address and the X-Forwarded-For hop).
std::string address_text(const boost::asio::ip::address& address);

bool cidr_contains(const Cidr& cidr, const boost::asio::ip::address& address);
bool is_trusted(const std::vector<Cidr>& trusted, const boost::asio::ip::address& address);

// One X-Forwarded-For element: "1.2.3.4", "1.2.3.4:5678", "::1", "[::1]:80" (whitespace
// trimmed). nullopt when it is not an address (e.g. "unknown", garbage).
std::optional<boost::asio::ip::address> parse_forwarded_element(std::string_view element);

// The client address for the audit log: the peer if it is not trusted; otherwise walk the
// X-Forwarded-For list from the right, skipping trusted hops, and answer the first untrusted
// one. An element that is not an address stops the walk: the last hop we could identify (the
// trusted proxy that sent it) is answered, never the garbage. All trusted: the leftmost.
std::string resolve_client_ip(const boost::asio::ip::address& peer,
                              std::string_view forwarded_for,
                              const std::vector<Cidr>& trusted);

// The X-Forwarded-For value to send on: `existing` (all incoming fields joined) plus the peer.
std::string extend_forwarded_for(std::string_view existing,
                                 const boost::asio::ip::address& peer);

} // namespace boshtap::proxy
