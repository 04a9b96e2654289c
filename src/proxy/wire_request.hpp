#pragma once
// A request as the bytes that go on the wire, in one string: written with a single buffer,
// and far smaller to keep (for the one retry) than the message with its field nodes.
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <string>

namespace boshtap::proxy {

// RFC 9112 §3 request-line, §5 field lines, then the body. The framing (Content-Length) must
// already be set (prepare_payload()).
inline std::string wire_request(
    const boost::beast::http::request<boost::beast::http::string_body>& req) {
    std::size_t size = req.method_string().size() + req.target().size() + 16 + req.body().size();
    for (const auto& f : req) size += f.name_string().size() + f.value().size() + 4;
    std::string out;
    out.reserve(size);
    out.append(req.method_string()).append(" ").append(req.target());
    out.append(" HTTP/").append(std::to_string(req.version() / 10)).append(".");
    out.append(std::to_string(req.version() % 10)).append("\r\n");
    for (const auto& f : req)
        out.append(f.name_string()).append(": ").append(f.value()).append("\r\n");
    out.append("\r\n").append(req.body());
    return out;
}

} // namespace boshtap::proxy
