#include "boshtap/core/transcript.hpp"

#include <cctype>
#include <string>

namespace boshtap::core {

namespace {

std::string_view trim(std::string_view s)
{
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

[[noreturn]] void fail(std::size_t line, const std::string& what)
{
    throw TranscriptError("transcript line " + std::to_string(line) + ": " + what);
}

// "+12.3456" -> 12346 ms (rounded to the millisecond).
Duration parse_offset(std::string_view v, std::size_t line)
{
    if (!v.empty() && v.front() == '+') v.remove_prefix(1);
    long long whole = 0;
    long long frac = 0; // in units of 0.1 ms
    int frac_digits = 0;
    bool digits = false;
    bool dot = false;
    for (const char ch : v) {
        if (ch == '.' && !dot) {
            dot = true;
            continue;
        }
        if (!std::isdigit(static_cast<unsigned char>(ch))) fail(line, "bad t= value");
        digits = true;
        if (!dot) {
            if (whole > 1'000'000'000) fail(line, "t= value out of range");
            whole = whole * 10 + (ch - '0');
        } else if (frac_digits < 4) {
            frac = frac * 10 + (ch - '0');
            ++frac_digits;
        }
    }
    if (!digits) fail(line, "bad t= value");
    for (; frac_digits < 4; ++frac_digits) frac *= 10;
    return Duration(whole * 1000 + (frac + 5) / 10);
}

TranscriptSection parse_header(std::string_view rest, std::size_t line)
{
    TranscriptSection s;
    s.line = line;
    rest = trim(rest);
    if (rest.starts_with("C->S"))
        s.from_client = true;
    else if (rest.starts_with("S->C"))
        s.from_client = false;
    else
        fail(line, "section must start with C->S or S->C");
    rest.remove_prefix(4);
    bool have_request_line = false;
    while (!(rest = trim(rest)).empty()) {
        if (rest.front() == '(') {
            // The request line may itself contain parentheses: match them.
            int depth = 0;
            std::size_t end = 0;
            for (; end < rest.size(); ++end) {
                if (rest[end] == '(')
                    ++depth;
                else if (rest[end] == ')' && --depth == 0)
                    break;
            }
            if (end == rest.size()) fail(line, "unclosed '(' in section header");
            if (!have_request_line) s.request_line = std::string(trim(rest.substr(1, end - 1)));
            have_request_line = true;
            rest.remove_prefix(end + 1);
            continue;
        }
        const auto stop = rest.find_first_of(" \t(");
        const auto token = rest.substr(0, stop);
        rest.remove_prefix(token.size());
        const auto eq = token.find('=');
        const auto key = token.substr(0, eq);
        const auto value = eq == std::string_view::npos ? std::string_view{} : token.substr(eq + 1);
        if (token == "frame")
            s.is_frame = true;
        else if (token == "HTTP")
            s.is_http_head = true;
        else if (eq == std::string_view::npos)
            continue; // a remark such as "attempt 2"
        else if (value.empty())
            fail(line, "empty value for " + std::string(key));
        else if (key == "rid")
            s.rid = std::string(value);
        else if (key == "sid")
            s.sid = std::string(value);
        else if (key == "conn")
            s.conn = std::string(value);
        else if (key == "t")
            s.t = parse_offset(value, line);
    }
    return s;
}

} // namespace

std::vector<TranscriptSection> parse_transcript(std::string_view text)
{
    std::vector<TranscriptSection> sections;
    std::string payload;
    const auto finish = [&] {
        if (!sections.empty()) sections.back().payload = std::string(trim(payload));
        payload.clear();
    };
    std::size_t line_no = 0;
    while (!text.empty()) {
        const auto nl = text.find('\n');
        auto line = text.substr(0, nl);
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
        ++line_no;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.starts_with("===")) {
            finish();
            sections.push_back(parse_header(line.substr(3), line_no));
        } else if (line.starts_with("#")) {
            continue;
        } else if (!sections.empty()) {
            payload.append(line);
            payload += '\n';
        }
    }
    finish();
    return sections;
}

} // namespace boshtap::core
