// decode_content: gzip, x-gzip, deflate (zlib or raw), bounded output.
#include "boshtap/core/gzip.hpp"

#include <catch2/catch.hpp>
#include <zlib.h>

#include <string>

using boshtap::core::decode_content;

namespace {

// window_bits as in zlib.h: 16+15 gzip, 15 zlib, -15 raw.
std::string compress(const std::string& in, int window_bits)
{
    z_stream zs{};
    REQUIRE(deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY) ==
            Z_OK);
    std::string out(deflateBound(&zs, static_cast<uLong>(in.size())) + 64, '\0');
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    zs.avail_in = static_cast<uInt>(in.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    REQUIRE(deflate(&zs, Z_FINISH) == Z_STREAM_END);
    out.resize(zs.total_out);
    deflateEnd(&zs);
    return out;
}

const std::string body = "<body xmlns='http://jabber.org/protocol/httpbind' ack='7021'></body>";

} // namespace

TEST_CASE("decodes each content coding", "[gzip]")
{
    const auto [encoding, bits] = GENERATE(table<const char*, int>({
        {"gzip", 16 + 15},
        {"x-gzip", 16 + 15},
        {"GZIP ", 16 + 15},
        {"deflate", 15},
        {"deflate", -15},
    }));
    INFO(encoding << " " << bits);
    CHECK(decode_content(encoding, compress(body, bits), 1 << 20) == body);
}

TEST_CASE("identity passes through, unknown codings are refused", "[gzip]")
{
    CHECK(decode_content("", body, 1 << 20) == body);
    CHECK(decode_content("identity", body, 1 << 20) == body);
    CHECK_FALSE(decode_content("br", body, 1 << 20));
}

TEST_CASE("concatenated gzip members", "[gzip]")
{
    CHECK(decode_content("gzip", compress("<a>", 31) + compress("</a>", 31), 1024) == "<a></a>");
}

TEST_CASE("corrupt, truncated and oversized input yields nothing", "[gzip]")
{
    const auto gz = compress(body, 31);
    CHECK_FALSE(decode_content("gzip", "not gzip at all", 1 << 20));
    CHECK_FALSE(decode_content("gzip", gz.substr(0, gz.size() / 2), 1 << 20));
    CHECK_FALSE(decode_content("gzip", "", 1 << 20));
    const std::string bomb = compress(std::string(8 << 20, '\0'), 31); // 8 MiB of zeros
    CHECK(bomb.size() < 64 * 1024);
    CHECK_FALSE(decode_content("gzip", bomb, 1 << 20));
    CHECK(decode_content("gzip", bomb, 8 << 20)->size() == (8u << 20));
    CHECK_FALSE(decode_content("identity", body, body.size() - 1));
}
