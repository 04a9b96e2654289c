// Making untrusted display names safe and measurable for a terminal table.
#include "boshtap/app/report/report_format.hpp"

#include <fmt/format.h>

namespace boshtap::app::report {

namespace {

// Decodes the code point at `pos` (input is valid UTF-8: Boost.JSON checked it) and advances.
char32_t next_code_point(std::string_view s, std::size_t& pos)
{
    const auto lead = static_cast<unsigned char>(s[pos]);
    const std::size_t length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    char32_t cp = length == 1 ? lead : lead & (0x7F >> length);
    for (std::size_t i = 1; i < length && pos + i < s.size(); ++i)
        cp = (cp << 6) | (static_cast<unsigned char>(s[pos + i]) & 0x3F);
    pos += length;
    return cp;
}

bool is_control(char32_t cp)
{
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
}

std::size_t width_of(char32_t cp)
{
    if (is_control(cp)) return 0;
    if ((cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x200B && cp <= 0x200F) ||
        (cp >= 0xFE00 && cp <= 0xFE0F) || cp == 0x200D)
        return 0; // combining marks, zero-width characters, variation selectors
    if ((cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
        (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
        (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
        (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1FAFF) ||
        (cp >= 0x20000 && cp <= 0x3FFFD))
        return 2;
    return 1;
}

} // namespace

std::string printable(std::string_view s)
{
    std::string out;
    out.reserve(s.size());
    for (std::size_t pos = 0; pos < s.size();) {
        const std::size_t begin = pos;
        const char32_t cp = next_code_point(s, pos);
        if (!is_control(cp)) {
            out.append(s.substr(begin, pos - begin));
            continue;
        }
        switch (cp) {
        case U'\n': out += "\\n"; break;
        case U'\r': out += "\\r"; break;
        case U'\t': out += "\\t"; break;
        default: out += fmt::format("\\u{:04x}", static_cast<unsigned>(cp));
        }
    }
    return out;
}

std::size_t display_width(std::string_view s)
{
    std::size_t width = 0;
    for (std::size_t pos = 0; pos < s.size();) width += width_of(next_code_point(s, pos));
    return width;
}

} // namespace boshtap::app::report
