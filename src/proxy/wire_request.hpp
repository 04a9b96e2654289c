#pragma once
// Messages as the bytes that go on the wire. A request is one string: written with a single
// buffer, and far smaller to keep (for the one retry) than the message with its field nodes.
// A response head is one string written together with the body (two buffers, one system
// call), without Beast's serializer and its buffer views over every field.
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <string>

namespace boshtap::proxy {

namespace wire_detail {

inline std::size_t fields_size(const boost::beast::http::fields& fields) {
    std::size_t size = 2;
    for (const auto& f : fields) size += f.name_string().size() + f.value().size() + 4;
    return size;
}

// RFC 9112 §5 field lines, in stored order and spelling, then the empty line.
inline void append_fields(std::string& out, const boost::beast::http::fields& fields) {
    for (const auto& f : fields)
        out.append(f.name_string()).append(": ").append(f.value()).append("\r\n");
    out.append("\r\n");
}

inline void append_version(std::string& out, unsigned version) {
    out.append("HTTP/");
    out.push_back(static_cast<char>('0' + version / 10));
    out.push_back('.');
    out.push_back(static_cast<char>('0' + version % 10));
}

} // namespace wire_detail

// RFC 9112 §3 request-line, §5 field lines, then the body. The framing (Content-Length) must
// already be set.
inline std::string wire_request(
    const boost::beast::http::request<boost::beast::http::string_body>& req) {
    std::string out;
    out.reserve(req.method_string().size() + req.target().size() + 12 +
                wire_detail::fields_size(req) + req.body().size());
    out.append(req.method_string()).append(" ").append(req.target()).append(" ");
    wire_detail::append_version(out, req.version());
    out.append("\r\n");
    wire_detail::append_fields(out, req);
    out.append(req.body());
    return out;
}

// RFC 9112 §4 status-line and the field lines, byte for byte what Beast's serializer writes
// before the body: the reason phrase as received, or the standard one when there was none.
// The framing must already be set.
inline std::string wire_response_head(
    const boost::beast::http::response<boost::beast::http::string_body>& res) {
    const auto reason = res.reason().empty() ? boost::beast::http::obsolete_reason(res.result())
                                             : res.reason();
    const unsigned code = res.result_int();
    std::string out;
    out.reserve(15 + reason.size() + wire_detail::fields_size(res));
    wire_detail::append_version(out, res.version());
    out.push_back(' ');
    out.push_back(static_cast<char>('0' + code / 100 % 10));
    out.push_back(static_cast<char>('0' + code / 10 % 10));
    out.push_back(static_cast<char>('0' + code % 10));
    out.push_back(' ');
    out.append(reason).append("\r\n");
    wire_detail::append_fields(out, res);
    return out;
}

} // namespace boshtap::proxy
