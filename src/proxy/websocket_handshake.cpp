#include "websocket_handshake.hpp"

#include "boshtap/proxy/client_ip.hpp"
#include "request_info.hpp"

#include <boost/beast/core/string.hpp>

namespace boshtap::proxy {

namespace http = boost::beast::http;

http::request<http::empty_body> upstream_upgrade(const http::request<http::string_body>& client,
                                                 const UpstreamUrl& upstream,
                                                 const boost::asio::ip::address& peer) {
    http::request<http::empty_body> req{
        http::verb::get, upstream_target(upstream.path, split_target(client.target()).query), 11};
    std::string host(client[http::field::host]);
    if (host.empty()) host = host_field(upstream);
    req.set(http::field::host, host);
    req.set(http::field::upgrade, "websocket");
    req.set(http::field::connection, "Upgrade");
    // Passed on as the client sent them (every occurrence, in order). Sec-WebSocket-Extensions
    // is left out on purpose: without it the upstream cannot agree to permessage-deflate
    // (RFC 7692), so the spliced frames carry the payloads as sent and the tap can read them.
    for (const auto& field : client) {
        switch (field.name()) {
        case http::field::sec_websocket_key:
        case http::field::sec_websocket_version:
        case http::field::sec_websocket_protocol: // RFC 7395 §3.3: "xmpp"
        case http::field::origin:
        case http::field::cookie:
        case http::field::user_agent:
            req.insert(field.name(), field.value());
            break;
        default:
            break;
        }
    }
    req.set("X-Forwarded-For", extend_forwarded_for(joined_forwarded_for(client), peer));
    return req;
}

bool negotiated_extension(const http::fields& response) {
    return response.find(http::field::sec_websocket_extensions) != response.end();
}

} // namespace boshtap::proxy
