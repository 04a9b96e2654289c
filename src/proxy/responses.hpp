#pragma once
// boshtap's own answers (404, 413, 502, 504, ...): short text/plain bodies that say why.
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <string>

namespace boshtap::proxy {

boost::beast::http::response<boost::beast::http::string_body>
text_response(boost::beast::http::status status, std::string message, unsigned version,
              bool keep_alive);

} // namespace boshtap::proxy
