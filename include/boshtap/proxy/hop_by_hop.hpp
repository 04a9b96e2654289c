#pragma once
// Hop-by-hop header removal (RFC 9110 §7.6.1): a proxy forwards end-to-end fields only.
#include <boost/beast/http/fields.hpp>

namespace boshtap::proxy {

// Removes Connection, every field named by a Connection option, Keep-Alive, Proxy-Connection,
// TE, Trailer, Transfer-Encoding and Upgrade. Names compare case-insensitively.
void strip_hop_by_hop(boost::beast::http::fields& fields);

} // namespace boshtap::proxy
