#pragma once
// What the relays report about the traffic they forward. The relays never wait for a Tap:
// an implementation takes its copies and returns at once (the auditor queues them for its
// own thread), so parsing, tracking and disk writes can never delay forwarded bytes.
#include <cstdint>
#include <string>

namespace boshtap::proxy {

struct ClientMeta {
    std::string client_ip;   // resolved through --trusted-proxy
    std::string user_agent;
    std::string target;      // request-target as received: path + query
};

class Tap {
public:
    virtual ~Tap() = default;

    // BOSH: one HTTP exchange on the BOSH path (POST bodies only). `exchange` ids are unique
    // per process and chosen by the relay. The relay hands over its copies (moved, not copied).
    virtual void http_request(std::uint64_t exchange, ClientMeta meta, std::string body) = 0;
    // `content_encoding` is the upstream's Content-Encoding ("" when none); `body` the bytes
    // exactly as forwarded.
    virtual void http_response(std::uint64_t exchange, unsigned status,
                               std::string content_encoding, std::string body) = 0;
    // No usable response: upstream error or timeout, client gone, body over the limit.
    virtual void http_failed(std::uint64_t exchange) = 0;

    // WebSocket (RFC 7395). `conn` ids are unique per process and chosen by the relay.
    virtual void ws_open(std::uint64_t conn, const ClientMeta&) = 0;
    virtual void ws_message(std::uint64_t conn, bool from_client, std::string payload) = 0;
    virtual void ws_closed(std::uint64_t conn) = 0;
};

} // namespace boshtap::proxy
