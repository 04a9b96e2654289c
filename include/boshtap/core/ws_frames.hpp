#pragma once
// WebSocket frames (RFC 6455 §5) for the tap's copy of a spliced connection. The relay forwards
// the bytes of each direction unchanged; a WsFrameDecoder per direction reassembles the copy
// into messages. Beast has no public frame parser (its frame code lives in `detail` and is
// welded to its stream), so this small decoder of the §5.2 base framing is our own.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace boshtap::core {

class WsFrameDecoder {
public:
    enum class Status {
        ok,
        too_large,      // a message would exceed the limit; nothing of it was buffered past it
        protocol_error, // the peer broke RFC 6455 framing; see error()
    };

    // `masked`: frames in this direction must be masked (client to server, RFC 6455 §5.1) and
    // unmasked otherwise. `max_message`: the largest reassembled payload accepted.
    WsFrameDecoder(bool masked, std::size_t max_message);

    // Consumes bytes until `data` is used up, a frame completes (so the caller can act at frame
    // boundaries) or an error occurs. Returns how many bytes were consumed. After an error
    // everything is consumed and ignored.
    std::size_t feed(std::string_view data);

    // A text or binary message is complete: take it before feeding more.
    bool message_ready() const { return ready_; }
    bool message_is_text() const { return text_; }
    std::string take_message();

    Status status() const { return status_; }
    const char* error() const { return error_; }

    // Stream offsets (bytes consumed since construction).
    std::uint64_t consumed() const { return consumed_; }
    // Where the frame being decoded (or the one that failed) began.
    std::uint64_t frame_start() const { return frame_start_; }
    // True between frames: no header or payload byte of an unfinished frame consumed.
    bool at_frame_boundary() const { return hdr_len_ == 0 && !in_payload_; }
    // Bytes of an unfinished frame header consumed so far (0..13).
    std::size_t header_bytes_pending() const { return in_payload_ ? 0 : hdr_len_; }

    // A close frame arrived (RFC 6455 §5.5.1): its code (1005 when it had none) and reason.
    bool close_seen() const { return close_seen_; }
    std::uint16_t close_code() const { return close_code_; }
    std::string_view close_reason() const { return close_reason_; }

private:
    std::size_t feed_header(std::string_view data);
    std::size_t feed_payload(std::string_view data);
    bool check_first_bytes();
    bool start_payload();
    void finish_frame();
    bool fail(Status status, const char* why); // false, for `return fail(...)`

    const bool masked_;
    const std::size_t max_message_;
    Status status_ = Status::ok;
    const char* error_ = "";
    std::uint64_t consumed_ = 0;
    std::uint64_t frame_start_ = 0;

    // The frame being decoded.
    std::array<unsigned char, 14> hdr_{}; // 2 + up to 8 length bytes + 4 mask bytes
    std::size_t hdr_len_ = 0;
    bool in_payload_ = false;
    bool frame_done_ = false; // a frame completed during this feed()
    bool fin_ = false;
    unsigned opcode_ = 0;
    std::array<unsigned char, 4> mask_{};
    std::uint64_t frame_len_ = 0;
    std::uint64_t frame_pos_ = 0;

    // The message being reassembled (data frames), or a control frame's payload (<= 125 bytes).
    bool in_message_ = false;
    bool text_ = false;
    bool ready_ = false;
    std::string message_;
    std::array<char, 125> control_{};

    bool close_seen_ = false;
    std::uint16_t close_code_ = 0;
    std::string close_reason_;
};

// A complete close frame (RFC 6455 §5.5.1): 2-byte code and the reason, cut to fit the 125-byte
// control payload. `mask` given: a masked frame, as a client must send (§5.3); none: unmasked,
// as a server sends.
std::string ws_close_frame(std::uint16_t code, std::string_view reason,
                           const std::optional<std::array<unsigned char, 4>>& mask);

} // namespace boshtap::core
