#pragma once
// Hop-by-hop header removal (RFC 9110 §7.6.1): a proxy forwards end-to-end fields only.
#include <boost/beast/http/fields.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace boshtap::proxy {

// Which fields of one message are hop-by-hop: Connection, every field named by a Connection
// option, Keep-Alive, Proxy-Connection, TE, Trailer, Transfer-Encoding and Upgrade. Names
// compare case-insensitively. Lets a writer skip them without erasing them from the message.
class HopByHop {
public:
    explicit HopByHop(const boost::beast::http::fields& fields);
    bool operator()(const boost::beast::http::fields::value_type& field) const;

private:
    std::vector<std::string> named_; // by Connection options; usually none
};

// Removes the fields HopByHop names.
void strip_hop_by_hop(boost::beast::http::fields& fields);

} // namespace boshtap::proxy
