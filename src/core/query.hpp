#pragma once
// One parameter of a request-target's query string (RFC 3986 §3.4), percent-decoded.
#include <optional>
#include <string>
#include <string_view>

namespace boshtap::core {

std::optional<std::string> query_param(std::string_view target, std::string_view name);

} // namespace boshtap::core
