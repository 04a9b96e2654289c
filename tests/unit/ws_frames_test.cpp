// WsFrameDecoder: RFC 6455 §5 framing as the relay's tap sees it, fed in every chunking.
#include "boshtap/core/ws_frames.hpp"

#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

using namespace boshtap::core;
using Status = WsFrameDecoder::Status;

namespace {

using Mask = std::optional<std::array<unsigned char, 4>>;
const Mask client_mask = std::array<unsigned char, 4>{0x37, 0xfa, 0x21, 0x3d};

// One frame, written out by hand from RFC 6455 §5.2.
std::string frame(unsigned opcode, const std::string& payload, bool fin = true,
                  const Mask& mask = std::nullopt, unsigned rsv = 0)
{
    std::string f;
    f.push_back(static_cast<char>((fin ? 0x80 : 0) | (rsv << 4) | opcode));
    const unsigned char m = mask ? 0x80 : 0;
    const auto n = payload.size();
    if (n < 126) {
        f.push_back(static_cast<char>(m | n));
    } else if (n <= 0xFFFF) {
        f.push_back(static_cast<char>(m | 126));
        f.push_back(static_cast<char>(n >> 8));
        f.push_back(static_cast<char>(n & 0xFF));
    } else {
        f.push_back(static_cast<char>(m | 127));
        for (int shift = 56; shift >= 0; shift -= 8)
            f.push_back(static_cast<char>((static_cast<std::uint64_t>(n) >> shift) & 0xFF));
    }
    std::string body = payload;
    if (mask) {
        f.append(reinterpret_cast<const char*>(mask->data()), 4);
        for (std::size_t i = 0; i < body.size(); ++i)
            body[i] = static_cast<char>(body[i] ^ (*mask)[i % 4]);
    }
    return f + body;
}

struct Decoded {
    std::vector<std::pair<bool, std::string>> messages; // (text?, payload)
    Status status = Status::ok;
};

// Feeds `bytes` in chunks of `chunk` bytes, taking messages as they complete.
Decoded decode(WsFrameDecoder& d, const std::string& bytes, std::size_t chunk)
{
    Decoded out;
    for (std::size_t at = 0; at < bytes.size(); at += chunk) {
        std::string_view piece(bytes.data() + at, std::min(chunk, bytes.size() - at));
        while (!piece.empty()) {
            const auto used = d.feed(piece);
            REQUIRE(used > 0);
            piece.remove_prefix(used);
            if (d.message_ready()) {
                const bool text = d.message_is_text();
                out.messages.emplace_back(text, d.take_message());
            }
        }
    }
    out.status = d.status();
    return out;
}

std::string pattern(std::size_t n)
{
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + i % 26);
    return s;
}

} // namespace

TEST_CASE("ws_frames: every length encoding, masked and unmasked, any chunking", "[ws_frames]")
{
    const bool masked = GENERATE(false, true);
    const std::size_t size = GENERATE(0u, 1u, 125u, 126u, 65535u, 65536u, 70000u);
    const std::size_t chunk = GENERATE(1u, 7u, 16384u, 1u << 20);
    if (chunk == 1 && size > 65536) return; // byte by byte is covered by 65536 already
    const Mask mask = masked ? client_mask : std::nullopt;
    const auto payload = pattern(size);
    const auto bytes = frame(0x1, payload, true, mask) + frame(0x2, "\x01\xff", true, mask);

    WsFrameDecoder d(masked, 1 << 20);
    const auto got = decode(d, bytes, chunk);
    CHECK(got.status == Status::ok);
    REQUIRE(got.messages.size() == 2);
    CHECK(got.messages[0].first);
    CHECK(got.messages[0].second == payload);
    CHECK_FALSE(got.messages[1].first);
    CHECK(got.messages[1].second == "\x01\xff");
    CHECK(d.consumed() == bytes.size());
    CHECK(d.at_frame_boundary());
}

TEST_CASE("ws_frames: fragmented message with control frames between the fragments",
          "[ws_frames]")
{
    const std::size_t chunk = GENERATE(1u, 3u, 1000u);
    const auto bytes = frame(0x1, "<message>", false, client_mask) +
                       frame(0x9, "ping!", true, client_mask) + // ping: not a message
                       frame(0x0, "<body>hi</body>", false, client_mask) +
                       frame(0xA, "", true, client_mask) + // pong
                       frame(0x0, "</message>", true, client_mask) +
                       frame(0x8, std::string("\x03\xe8", 2) + "bye", true, client_mask);
    WsFrameDecoder d(true, 1 << 20);
    const auto got = decode(d, bytes, chunk);
    CHECK(got.status == Status::ok);
    REQUIRE(got.messages.size() == 1);
    CHECK(got.messages[0].first);
    CHECK(got.messages[0].second == "<message><body>hi</body></message>");
    CHECK(d.close_seen());
    CHECK(d.close_code() == 1000);
    CHECK(d.close_reason() == "bye");
}

TEST_CASE("ws_frames: feed stops at each frame boundary", "[ws_frames]")
{
    const auto first = frame(0x1, "one");
    const auto ping = frame(0x9, "");
    const auto bytes = first + ping + frame(0x1, "two");
    WsFrameDecoder d(false, 100);
    CHECK(d.feed(bytes) == first.size());
    CHECK(d.message_ready());
    CHECK(d.take_message() == "one");
    CHECK(d.feed(std::string_view(bytes).substr(first.size())) == ping.size());
    CHECK_FALSE(d.message_ready());
    CHECK(d.at_frame_boundary());

    // An unfinished header is reported so the relay can hold it back.
    CHECK(d.feed(std::string_view(bytes).substr(first.size() + ping.size(), 1)) == 1);
    CHECK_FALSE(d.at_frame_boundary());
    CHECK(d.header_bytes_pending() == 1);
    CHECK(d.frame_start() == first.size() + ping.size());
    CHECK(d.feed(std::string_view(bytes).substr(first.size() + ping.size() + 1, 2)) == 2);
    CHECK(d.header_bytes_pending() == 0); // now in the payload
    CHECK_FALSE(d.at_frame_boundary());
}

TEST_CASE("ws_frames: close frames, with and without a code", "[ws_frames]")
{
    SECTION("no status code: 1005") {
        WsFrameDecoder d(false, 100);
        CHECK(decode(d, frame(0x8, ""), 1).messages.empty());
        CHECK(d.close_seen());
        CHECK(d.close_code() == 1005);
        CHECK(d.close_reason().empty());
    }
    SECTION("ws_close_frame round trip, masked and unmasked") {
        const bool masked = GENERATE(false, true);
        const auto bytes = ws_close_frame(1009, "message too big", masked ? client_mask : Mask{});
        WsFrameDecoder d(masked, 100);
        CHECK(decode(d, bytes, 1).status == Status::ok);
        CHECK(d.close_code() == 1009);
        CHECK(d.close_reason() == "message too big");
    }
    SECTION("a long reason is cut to fit a control frame") {
        const auto bytes = ws_close_frame(1001, std::string(300, 'r'), std::nullopt);
        CHECK(bytes.size() == 2 + 125);
        WsFrameDecoder d(false, 100);
        CHECK(decode(d, bytes, 5).status == Status::ok);
        CHECK(d.close_reason().size() == 123);
    }
}

TEST_CASE("ws_frames: protocol errors stop decoding", "[ws_frames]")
{
    struct Case {
        const char* name;
        bool masked;
        std::string bytes;
    };
    const std::vector<Case> cases{
        {"RSV1 (no extension negotiated)", false, frame(0x1, "x", true, std::nullopt, 4)},
        {"RSV3", true, frame(0x1, "x", true, client_mask, 1)},
        {"reserved data opcode", false, frame(0x3, "x")},
        {"reserved control opcode", false, frame(0xB, "")},
        {"continuation first", false, frame(0x0, "x")},
        {"text inside a fragmented message", false, frame(0x1, "a", false) + frame(0x1, "b")},
        {"fragmented ping", false, frame(0x9, "p", false)},
        {"control payload over 125", false, frame(0x9, std::string(126, 'p'))},
        {"unmasked client frame", true, frame(0x1, "x")},
        {"masked server frame", false, frame(0x1, "x", true, client_mask)},
        {"64-bit length with the top bit", false,
         std::string("\x82\x7f\x80\x00\x00\x00\x00\x00\x00\x01", 10)},
    };
    const std::size_t chunk = GENERATE(1u, 64u);
    for (const auto& c : cases) {
        INFO(c.name);
        WsFrameDecoder d(c.masked, 1 << 20);
        const auto got = decode(d, c.bytes + frame(0x1, "after", true, c.masked ? client_mask : Mask{}), chunk);
        CHECK(got.status == Status::protocol_error);
        CHECK(std::string(d.error()).size() > 0);
        CHECK(got.messages.empty());
        // After an error every byte is consumed and ignored.
        CHECK(d.feed("\x81\x01z") == 3);
        CHECK_FALSE(d.message_ready());
    }
}

TEST_CASE("ws_frames: a message over the limit fails before it is buffered", "[ws_frames]")
{
    const std::size_t chunk = GENERATE(1u, 9u, 100000u);
    SECTION("one frame") {
        const auto before = frame(0x1, pattern(100));
        const auto bytes = before + frame(0x1, pattern(101)) + frame(0x1, "never");
        WsFrameDecoder d(false, 100);
        const auto got = decode(d, bytes, chunk);
        CHECK(got.status == Status::too_large);
        REQUIRE(got.messages.size() == 1); // exactly at the limit is fine
        CHECK(d.frame_start() == before.size());
    }
    SECTION("fragments that add up past the limit") {
        const auto first = frame(0x2, pattern(60), false, client_mask);
        const auto bytes = first + frame(0x0, pattern(60), true, client_mask);
        WsFrameDecoder d(true, 100);
        const auto got = decode(d, bytes, chunk);
        CHECK(got.status == Status::too_large);
        CHECK(got.messages.empty());
        CHECK(d.frame_start() == first.size());
    }
    SECTION("a 64-bit length far past the limit") {
        WsFrameDecoder d(false, 1 << 20);
        const std::string huge("\x81\x7f\x00\x00\x01\x00\x00\x00\x00\x00", 10); // 1 TiB
        CHECK(decode(d, huge + "payload", chunk).status == Status::too_large);
        CHECK(d.frame_start() == 0);
    }
    SECTION("control frames do not count") {
        WsFrameDecoder d(false, 10);
        const auto got = decode(d, frame(0x9, pattern(125)) + frame(0x1, pattern(10)), chunk);
        CHECK(got.status == Status::ok);
        CHECK(got.messages.size() == 1);
    }
}
