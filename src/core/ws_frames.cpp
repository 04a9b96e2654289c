#include "boshtap/core/ws_frames.hpp"

#include <algorithm>

namespace boshtap::core {

namespace {

// RFC 6455 §5.2 opcodes.
constexpr unsigned op_continuation = 0x0;
constexpr unsigned op_text = 0x1;
constexpr unsigned op_binary = 0x2;
constexpr unsigned op_close = 0x8;
constexpr unsigned op_ping = 0x9;
constexpr unsigned op_pong = 0xA;

bool is_control(unsigned opcode) { return (opcode & 0x8) != 0; }

// Header length once the first two bytes are known: 7-bit length, or 126 -> 16-bit, or
// 127 -> 64-bit extended length; then the 4-byte masking key when the MASK bit is set.
std::size_t header_size(unsigned char second)
{
    const unsigned len7 = second & 0x7F;
    const std::size_t ext = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
    return 2 + ext + ((second & 0x80) ? 4 : 0);
}

} // namespace

WsFrameDecoder::WsFrameDecoder(bool masked, std::size_t max_message)
    : masked_(masked), max_message_(max_message)
{
}

std::size_t WsFrameDecoder::feed(std::string_view data)
{
    frame_done_ = false;
    std::size_t used = 0;
    while (used < data.size() && status_ == Status::ok && !frame_done_) {
        const auto rest = data.substr(used);
        const std::size_t n = in_payload_ ? feed_payload(rest) : feed_header(rest);
        used += n;
        consumed_ += n;
    }
    if (status_ != Status::ok) { // the rest is not decoded
        consumed_ += data.size() - used;
        return data.size();
    }
    return used;
}

std::size_t WsFrameDecoder::feed_header(std::string_view data)
{
    if (hdr_len_ == 0) frame_start_ = consumed_;
    std::size_t used = 0;
    while (used < data.size()) {
        hdr_[hdr_len_++] = static_cast<unsigned char>(data[used++]);
        if (hdr_len_ == 2 && !check_first_bytes()) return used;
        if (hdr_len_ >= 2 && hdr_len_ == header_size(hdr_[1])) {
            if (!start_payload()) return used;
            break;
        }
    }
    return used;
}

// RFC 6455 §5.2 / §5.4 / §5.5: what the first two bytes already tell.
bool WsFrameDecoder::check_first_bytes()
{
    fin_ = (hdr_[0] & 0x80) != 0;
    opcode_ = hdr_[0] & 0x0F;
    if (hdr_[0] & 0x70) {
        // No extension was negotiated (the relay strips Sec-WebSocket-Extensions).
        return fail(Status::protocol_error, "reserved bit set");
    }
    switch (opcode_) {
    case op_continuation:
        if (!in_message_) return fail(Status::protocol_error, "continuation without a message");
        break;
    case op_text:
    case op_binary:
        if (in_message_) return fail(Status::protocol_error, "new message inside a fragmented one");
        break;
    case op_close:
    case op_ping:
    case op_pong:
        // Control frames are never fragmented and carry at most 125 bytes (§5.5).
        if (!fin_) return fail(Status::protocol_error, "fragmented control frame");
        if ((hdr_[1] & 0x7F) > 125) return fail(Status::protocol_error, "control frame too long");
        break;
    default:
        return fail(Status::protocol_error, "reserved opcode");
    }
    const bool has_mask = (hdr_[1] & 0x80) != 0;
    if (has_mask != masked_) {
        // §5.1: client frames are masked, server frames are not; the receiver fails otherwise.
        return fail(Status::protocol_error,
                    masked_ ? "unmasked client frame" : "masked server frame");
    }
    return true;
}

bool WsFrameDecoder::start_payload()
{
    const unsigned len7 = hdr_[1] & 0x7F;
    std::size_t pos = 2;
    if (len7 < 126) {
        frame_len_ = len7;
    } else {
        const std::size_t bytes = len7 == 126 ? 2 : 8;
        frame_len_ = 0;
        for (std::size_t i = 0; i < bytes; ++i) frame_len_ = (frame_len_ << 8) | hdr_[pos++];
        // §5.2: the most significant bit of a 64-bit length must be 0. (A length encoded in
        // more bytes than needed is tolerated: it decodes the same.)
        if (bytes == 8 && (frame_len_ >> 63) != 0)
            return fail(Status::protocol_error, "64-bit length with the top bit set");
    }
    if (masked_) std::copy_n(hdr_.begin() + static_cast<std::ptrdiff_t>(pos), 4, mask_.begin());
    frame_pos_ = 0;

    if (!is_control(opcode_)) {
        // The limit is checked before a byte of the frame is kept: never buffer past it.
        if (frame_len_ > max_message_ || message_.size() + frame_len_ > max_message_)
            return fail(Status::too_large, "message larger than the limit");
        if (!in_message_) {
            in_message_ = true;
            text_ = opcode_ == op_text;
            message_.clear();
        }
        message_.reserve(message_.size() + static_cast<std::size_t>(frame_len_));
    }
    hdr_len_ = 0;
    in_payload_ = frame_len_ > 0;
    if (!in_payload_) finish_frame();
    return true;
}

std::size_t WsFrameDecoder::feed_payload(std::string_view data)
{
    const auto n = static_cast<std::size_t>(
        std::min<std::uint64_t>(data.size(), frame_len_ - frame_pos_));
    const bool control = is_control(opcode_);
    for (std::size_t i = 0; i < n; ++i) {
        char c = data[i];
        if (masked_) c = static_cast<char>(c ^ mask_[(frame_pos_ + i) & 3]); // §5.3
        if (control) control_[frame_pos_ + i] = c;
        else message_.push_back(c);
    }
    frame_pos_ += n;
    if (frame_pos_ == frame_len_) {
        in_payload_ = false;
        finish_frame();
    }
    return n;
}

void WsFrameDecoder::finish_frame()
{
    frame_done_ = true;
    if (opcode_ == op_close && !close_seen_) {
        // §5.5.1: an optional 2-byte status code, then a reason; 1005 stands for "none".
        close_seen_ = true;
        close_code_ = 1005;
        if (frame_len_ >= 2) {
            close_code_ = static_cast<std::uint16_t>(
                (static_cast<unsigned char>(control_[0]) << 8) | static_cast<unsigned char>(control_[1]));
            close_reason_.assign(control_.data() + 2, static_cast<std::size_t>(frame_len_) - 2);
        }
    }
    if (!is_control(opcode_) && fin_) {
        in_message_ = false;
        ready_ = true;
    }
}

std::string WsFrameDecoder::take_message()
{
    ready_ = false;
    std::string out;
    out.swap(message_);
    return out;
}

bool WsFrameDecoder::fail(Status status, const char* why)
{
    status_ = status;
    error_ = why;
    message_.clear();
    message_.shrink_to_fit();
    return false;
}

std::string ws_close_frame(std::uint16_t code, std::string_view reason,
                           const std::optional<std::array<unsigned char, 4>>& mask)
{
    reason = reason.substr(0, 123); // 2 code bytes + reason <= 125 (§5.5)
    std::string payload;
    payload.push_back(static_cast<char>(code >> 8));
    payload.push_back(static_cast<char>(code & 0xFF));
    payload.append(reason);

    std::string frame;
    frame.push_back(static_cast<char>(0x80 | op_close)); // FIN, no RSV
    frame.push_back(static_cast<char>((mask ? 0x80 : 0x00) | payload.size()));
    if (mask) {
        frame.append(reinterpret_cast<const char*>(mask->data()), 4);
        for (std::size_t i = 0; i < payload.size(); ++i)
            payload[i] = static_cast<char>(payload[i] ^ (*mask)[i & 3]);
    }
    frame += payload;
    return frame;
}

} // namespace boshtap::core
