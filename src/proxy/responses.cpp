#include "responses.hpp"

namespace boshtap::proxy {

namespace http = boost::beast::http;

http::response<http::string_body> text_response(http::status status, std::string message,
                                                unsigned version, bool keep_alive) {
    http::response<http::string_body> res{status, version};
    res.set(http::field::server, "boshtap");
    res.set(http::field::content_type, "text/plain; charset=utf-8");
    res.set(http::field::cache_control, "no-store");
    message += '\n';
    res.body() = std::move(message);
    res.keep_alive(keep_alive);
    res.prepare_payload();
    return res;
}

} // namespace boshtap::proxy
