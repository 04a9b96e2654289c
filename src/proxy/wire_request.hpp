#pragma once
// Messages as the bytes that go on the wire. A request is one string: written with a single
// buffer, and far smaller to keep (for the one retry) than the message with its field nodes.
// A response head is one string written together with the body (two buffers, one system
// call), without Beast's serializer and its buffer views over every field.
#include "boshtap/proxy/hop_by_hop.hpp"

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <string>
#include <string_view>

namespace boshtap::proxy {

namespace wire_detail {

inline std::size_t fields_size(const boost::beast::http::fields& fields) {
    std::size_t size = 2;
    for (const auto& f : fields) size += f.name_string().size() + f.value().size() + 4;
    return size;
}

// One RFC 9112 §5 field line.
inline void append_field(std::string& out, std::string_view name, std::string_view value) {
    out.append(name).append(": ").append(value).append("\r\n");
}

// The field lines, in stored order and spelling, then the empty line.
inline void append_fields(std::string& out, const boost::beast::http::fields& fields) {
    for (const auto& f : fields) append_field(out, f.name_string(), f.value());
    out.append("\r\n");
}

inline void append_version(std::string& out, unsigned version) {
    out.append("HTTP/");
    out.push_back(static_cast<char>('0' + version / 10));
    out.push_back('.');
    out.push_back(static_cast<char>('0' + version % 10));
}

} // namespace wire_detail

// What forwarding changes in a request (see wire_forwarded_request).
struct Forwarding {
    std::string_view target;        // the upstream's request-target
    std::string_view forwarded_for; // the whole X-Forwarded-For value
    std::string_view host;          // the upstream's Host field (host_field())
};

// The request as it goes upstream, written straight from the received message (which stays
// as it was: no field is erased or set in it): the request-line with `fwd.target` and
// HTTP/1.1; the received field lines in order and spelling, except the hop-by-hop ones
// (HopByHop), Expect (answered here), X-Forwarded-For, Host if replaced, and Content-Length
// if framed anew; then X-Forwarded-For, `fwd.host` (if the client's Host is missing, empty
// or named hop-by-hop), the framing, the body. The client's Host is otherwise forwarded
// unchanged: Prosody picks the virtual host from it. No Connection field: HTTP/1.1 keeps the
// connection open by default.
inline std::string wire_forwarded_request(
    const boost::beast::http::request<boost::beast::http::string_body>& req,
    const Forwarding& fwd) {
    namespace http = boost::beast::http;
    const HopByHop hop_by_hop(req);
    const auto client_host = req.find(http::field::host);
    const bool own_host =
        client_host == req.end() || client_host->value().empty() || hop_by_hop(*client_host);
    // RFC 9112 §6.2: the framing is the body's length as read (an incoming chunked coding is a
    // hop-by-hop matter). The rule of Beast's prepare_payload(), which cannot be used here: it
    // throws for a TRACE with content, and an exception out of a handler would take an I/O
    // thread down with one request.
    const bool framed = !req.body().empty() || req.method() == http::verb::post ||
                        req.method() == http::verb::put || req.method() == http::verb::options;
    const auto length = std::to_string(req.body().size());

    std::string out;
    out.reserve(req.method_string().size() + fwd.target.size() + 12 + wire_detail::fields_size(req) +
                fwd.forwarded_for.size() + 19 + fwd.host.size() + 8 + length.size() + 18 +
                req.body().size());
    out.append(req.method_string()).append(" ").append(fwd.target).append(" HTTP/1.1\r\n");
    for (const auto& f : req) {
        const auto name = f.name();
        if (name == http::field::expect ||
            (name == http::field::unknown && // Beast has no code for X-Forwarded-For
             boost::beast::iequals(f.name_string(), "X-Forwarded-For")) ||
            (name == http::field::host && own_host) ||
            (name == http::field::content_length && framed) || hop_by_hop(f))
            continue;
        wire_detail::append_field(out, f.name_string(), f.value());
    }
    wire_detail::append_field(out, "X-Forwarded-For", fwd.forwarded_for);
    if (own_host) wire_detail::append_field(out, "Host", fwd.host);
    if (framed) wire_detail::append_field(out, "Content-Length", length);
    out.append("\r\n");
    out.append(req.body());
    return out;
}

namespace wire_detail {

// RFC 9112 §4 status-line: the reason phrase as received, or the standard one when there was
// none (what Beast's serializer writes).
inline void append_status_line(std::string& out,
                               const boost::beast::http::response<boost::beast::http::string_body>& res,
                               unsigned version) {
    const auto reason = res.reason().empty() ? boost::beast::http::obsolete_reason(res.result())
                                             : res.reason();
    const unsigned code = res.result_int();
    append_version(out, version);
    out.push_back(' ');
    out.push_back(static_cast<char>('0' + code / 100 % 10));
    out.push_back(static_cast<char>('0' + code / 10 % 10));
    out.push_back(static_cast<char>('0' + code % 10));
    out.push_back(' ');
    out.append(reason).append("\r\n");
}

} // namespace wire_detail

// The status-line and the field lines, byte for byte what Beast's serializer writes before
// the body. The framing must already be set.
inline std::string wire_response_head(
    const boost::beast::http::response<boost::beast::http::string_body>& res) {
    std::string out;
    out.reserve(15 + res.reason().size() + 32 + wire_detail::fields_size(res));
    wire_detail::append_status_line(out, res, res.version());
    wire_detail::append_fields(out, res);
    return out;
}

// A forwarded response's head, written straight from the upstream's message (which stays as
// it was): the status-line with the client's `version`; the received field lines in order and
// spelling except the hop-by-hop ones (HopByHop) and, if `framed`, Content-Length; then the
// Connection field the client's version needs for `keep_alive` (HTTP/1.1 "close", HTTP/1.0
// "keep-alive", as Beast's keep_alive() sets it), then Content-Length: the body's size, if
// `framed`.
inline std::string wire_forwarded_response_head(
    const boost::beast::http::response<boost::beast::http::string_body>& res, unsigned version,
    bool keep_alive, bool framed) {
    namespace http = boost::beast::http;
    const HopByHop hop_by_hop(res);
    const auto length = std::to_string(res.body().size());
    std::string out;
    out.reserve(15 + res.reason().size() + 32 + wire_detail::fields_size(res) + 24 + 18 +
                length.size());
    wire_detail::append_status_line(out, res, version);
    for (const auto& f : res) {
        if ((framed && f.name() == http::field::content_length) || hop_by_hop(f)) continue;
        wire_detail::append_field(out, f.name_string(), f.value());
    }
    if (version >= 11 && !keep_alive) wire_detail::append_field(out, "Connection", "close");
    if (version < 11 && keep_alive) wire_detail::append_field(out, "Connection", "keep-alive");
    if (framed) wire_detail::append_field(out, "Content-Length", length);
    out.append("\r\n");
    return out;
}

} // namespace boshtap::proxy
