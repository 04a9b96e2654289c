#include "boshtap/core/gzip.hpp"

#include <zlib.h>

#include <algorithm>
#include <cctype>

namespace boshtap::core {

namespace {

std::string lower_trimmed(std::string_view s)
{
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

// Inflates with the given window bits (zlib.h: 16+15 gzip, 15 zlib, -15 raw deflate).
// Concatenated gzip members (RFC 1952 §2.2) are decoded one after another.
std::optional<std::string> inflate_all(std::string_view in, int window_bits, std::size_t max_output)
{
    z_stream zs{};
    if (inflateInit2(&zs, window_bits) != Z_OK) return std::nullopt;
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    zs.avail_in = static_cast<uInt>(in.size());
    std::string out;
    char chunk[16384];
    int rc = Z_OK;
    bool ok = true;
    while (true) {
        zs.next_out = reinterpret_cast<Bytef*>(chunk);
        zs.avail_out = sizeof chunk;
        rc = inflate(&zs, Z_NO_FLUSH);
        const std::size_t produced = sizeof chunk - zs.avail_out;
        if (out.size() + produced > max_output) {
            ok = false;
            break;
        }
        out.append(chunk, produced);
        if (rc == Z_STREAM_END) {
            if (zs.avail_in == 0 || window_bits <= 15) break;
            if (inflateReset(&zs) != Z_OK) {
                ok = false;
                break;
            }
            continue;
        }
        if (rc != Z_OK) {
            ok = false; // Z_BUF_ERROR here means truncated input; others are corrupt data
            break;
        }
    }
    inflateEnd(&zs);
    if (!ok) return std::nullopt;
    return out;
}

} // namespace

std::optional<std::string> decode_content(std::string_view encoding, std::string_view body,
                                          std::size_t max_output)
{
    if (body.size() > static_cast<std::size_t>(static_cast<uInt>(-1))) return std::nullopt;
    const auto enc = lower_trimmed(encoding);
    if (enc.empty() || enc == "identity") {
        if (body.size() > max_output) return std::nullopt;
        return std::string(body);
    }
    if (enc == "gzip" || enc == "x-gzip") return inflate_all(body, 16 + MAX_WBITS, max_output);
    if (enc == "deflate") {
        // RFC 9110 §8.4.1.2 says zlib format; some servers send raw deflate anyway.
        if (auto z = inflate_all(body, MAX_WBITS, max_output)) return z;
        return inflate_all(body, -MAX_WBITS, max_output);
    }
    return std::nullopt;
}

} // namespace boshtap::core
