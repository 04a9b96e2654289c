// parse_upstream_url (declared in server.hpp).
#include "boshtap/proxy/server.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <stdexcept>
#include <string_view>

namespace boshtap::proxy {

UpstreamUrl parse_upstream_url(const std::string& url, bool websocket) {
    const std::string_view expected = websocket ? "ws" : "http";
    auto fail = [&](std::string_view why) -> void {
        throw std::invalid_argument(fmt::format("upstream URL '{}': {}", url, why));
    };

    const auto sep = url.find("://");
    if (sep == std::string::npos)
        fail(fmt::format("missing scheme (expected {}://host:port/path)", expected));
    std::string scheme = url.substr(0, sep);
    std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (scheme == "https" || scheme == "wss")
        fail("TLS (https/wss) is not supported: boshtap talks plain HTTP to the XMPP server");
    if (scheme != expected) fail(fmt::format("scheme must be {}://", expected));

    const std::string_view rest = std::string_view(url).substr(sep + 3);
    if (rest.find_first_of("?#") != std::string_view::npos)
        fail("query and fragment are not supported (the incoming query is appended)");
    const auto slash = rest.find('/');
    const std::string_view authority = rest.substr(0, slash);
    if (authority.find('@') != std::string_view::npos)
        fail("user information (user@host) is not supported");

    UpstreamUrl out;
    std::string_view host;
    std::string_view port;
    bool has_port = false;
    if (!authority.empty() && authority.front() == '[') { // RFC 3986 §3.2.2 IP-literal
        const auto close = authority.find(']');
        if (close == std::string_view::npos) fail("unterminated '[' in IPv6 host");
        host = authority.substr(1, close - 1);
        const auto after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') fail("unexpected characters after ']'");
            port = after.substr(1);
            has_port = true;
        }
    } else {
        const auto colon = authority.find(':');
        if (colon != std::string_view::npos &&
            authority.find(':', colon + 1) != std::string_view::npos)
            fail("an IPv6 host must be written in brackets, e.g. [::1]:5280");
        host = authority.substr(0, colon);
        if (colon != std::string_view::npos) {
            port = authority.substr(colon + 1);
            has_port = true;
        }
    }
    if (host.empty()) fail("missing host");
    if (has_port) {
        unsigned value = 0;
        const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
        if (port.empty() || ec != std::errc{} || end != port.data() + port.size() || value == 0 ||
            value > 65535)
            fail(fmt::format("invalid port '{}' (expected 1..65535)", port));
        out.port = static_cast<std::uint16_t>(value);
    }
    out.host = std::string(host);
    out.path = slash == std::string_view::npos ? std::string("/") : std::string(rest.substr(slash));
    return out;
}

std::string host_field(const UpstreamUrl& upstream) {
    const bool ipv6_literal = upstream.host.find(':') != std::string::npos;
    return ipv6_literal ? "[" + upstream.host + "]:" + std::to_string(upstream.port)
                        : upstream.host + ':' + std::to_string(upstream.port);
}

} // namespace boshtap::proxy
