#pragma once
// The opening handshake (RFC 6455 §4) passed through: the client's upgrade request goes to the
// WebSocket upstream with its key, version and subprotocols unchanged, so the upstream's
// Sec-WebSocket-Accept is valid end to end and the 101 can be relayed as is.
#include "boshtap/proxy/server.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace boshtap::proxy {

// The request sent to the upstream: GET upstream path + incoming query, HTTP/1.1, Host
// unchanged (Prosody picks the virtual host from it), the handshake fields and what the XMPP
// server wants to know about the client, X-Forwarded-For extended with `peer`.
boost::beast::http::request<boost::beast::http::empty_body>
upstream_upgrade(const boost::beast::http::request<boost::beast::http::string_body>& client,
                 const UpstreamUrl& upstream, const boost::asio::ip::address& peer);

// True when a 101 agreed to an extension boshtap never offered (it would change the framing
// the tap decodes, e.g. RFC 7692 compression).
bool negotiated_extension(const boost::beast::http::fields& response);

} // namespace boshtap::proxy
