#pragma once
// Decoding a copy of a compressed response body for parsing (Openfire gzips by default). The
// forwarded bytes are never touched.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace boshtap::core {

// Decodes `gzip`, `x-gzip` or `deflate` content; nullopt on corrupt input or when the output
// would exceed `max_output` bytes (a decompression bomb must not exhaust memory).
std::optional<std::string> decode_content(std::string_view encoding, std::string_view body,
                                          std::size_t max_output);

} // namespace boshtap::core
