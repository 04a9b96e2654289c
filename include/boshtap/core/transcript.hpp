#pragma once
// Reader for the wire-transcript format of tests/fixtures/ (README there), used by
// `boshtap replay` and the tests: sections `=== C->S ...` / `=== S->C ...` with rid=, sid=,
// conn=, t=+SECONDS and the request line in parentheses.
#include "boshtap/core/time.hpp"

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace boshtap::core {

struct TranscriptSection {
    bool from_client = true;         // C->S (true) or S->C (false)
    bool is_frame = false;           // a WebSocket frame ("frame" on the section line)
    bool is_http_head = false;       // a raw HTTP head ("HTTP" on the section line)
    std::optional<std::string> rid;  // as written
    std::optional<std::string> sid;
    std::optional<std::string> conn;
    Duration t{};                    // offset from the start of the transcript
    std::string request_line;        // e.g. "POST /http-bind?prefix=&room=x" or "200 OK"
    std::string payload;             // trimmed
    std::size_t line = 0;            // 1-based line of the section header, for errors
};

struct TranscriptError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Throws TranscriptError (with the line number) on a malformed section header.
std::vector<TranscriptSection> parse_transcript(std::string_view text);

} // namespace boshtap::core
