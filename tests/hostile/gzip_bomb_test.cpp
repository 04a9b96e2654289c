// decode_content against decompression bombs and corrupt input.
#include "hostile_support.hpp"

#include "boshtap/core/gzip.hpp"

#include <zlib.h>

using namespace boshtap;
using namespace boshtap::hostile;

namespace {

// `n` zero bytes compressed with the given window bits (31 gzip, 15 zlib, -15 raw deflate).
std::string compressed_zeros(std::size_t n, int window_bits) {
    z_stream zs{};
    REQUIRE(deflateInit2(&zs, 9, Z_DEFLATED, window_bits, 9, Z_DEFAULT_STRATEGY) == Z_OK);
    const std::string chunk(1u << 20, '\0');
    std::string out(deflateBound(&zs, static_cast<uLong>(n)) + 1024, '\0');
    zs.next_out = reinterpret_cast<Bytef *>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    for (std::size_t done = 0; done < n;) {
        const std::size_t len = std::min(chunk.size(), n - done);
        zs.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(chunk.data()));
        zs.avail_in = static_cast<uInt>(len);
        done += len;
        REQUIRE(deflate(&zs, done == n ? Z_FINISH : Z_NO_FLUSH) != Z_STREAM_ERROR);
    }
    out.resize(zs.total_out);
    deflateEnd(&zs);
    return out;
}

constexpr std::size_t limit = 16u << 20; // the auditor's bound on a decoded body

} // namespace

TEST_CASE("A 1 GiB gzip bomb is refused at the output limit", "[hostile][gzip]") {
    const auto bomb = compressed_zeros(std::size_t{1} << 30, 31);
    CHECK(bomb.size() < (2u << 20)); // about 1 MiB on the wire
    std::optional<std::string> out;
    const double cpu = cpu_seconds([&] { out = core::decode_content("gzip", bomb, limit); });
    CHECK_FALSE(out.has_value());
    CHECK(cpu < cpu_budget_s);
}

TEST_CASE("Deflate bombs, zlib and raw, are refused at the output limit", "[hostile][gzip]") {
    for (const int bits : {15, -15}) {
        const auto bomb = compressed_zeros(std::size_t{256} << 20, bits);
        std::optional<std::string> out;
        const double cpu = cpu_seconds([&] { out = core::decode_content("deflate", bomb, limit); });
        CHECK_FALSE(out.has_value());
        CHECK(cpu < cpu_budget_s);
    }
}

TEST_CASE("Many concatenated gzip members are bounded by the same limit", "[hostile][gzip]") {
    const auto member = compressed_zeros(std::size_t{1} << 20, 31);
    std::string many;
    for (int i = 0; i < 64; ++i)
        many += member; // 64 MiB decoded in total
    std::optional<std::string> out;
    const double cpu = cpu_seconds([&] { out = core::decode_content("gzip", many, limit); });
    CHECK_FALSE(out.has_value());
    CHECK(cpu < cpu_budget_s);
}

TEST_CASE("Corrupt and truncated gzip is refused, not half-decoded", "[hostile][gzip]") {
    const auto good = compressed_zeros(1000, 31);
    CHECK(core::decode_content("gzip", good, limit).has_value());
    CHECK_FALSE(core::decode_content("gzip", good.substr(0, good.size() / 2), limit));
    std::string flipped = good;
    flipped[flipped.size() / 2] ^= 0x55;
    CHECK_FALSE(core::decode_content("gzip", flipped, limit));
    CHECK_FALSE(core::decode_content("gzip", good + "trailing garbage", limit));
    CHECK_FALSE(core::decode_content("br", good, limit));
}
