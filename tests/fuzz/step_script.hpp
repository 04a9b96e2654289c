#pragma once
// The fuzz input format shared by the BOSH and WebSocket targets: steps separated by a line
// "~~~". A step's first line is its header: an operation letter, a slot digit and an optional
// number ("Q1", "R1 404", "T 90"); the rest of the step is the body or message. Text keeps
// seeds and regressions readable and lets the mutator splice real bodies.
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace boshtap::fuzz {

struct Step {
    char op = 0;
    unsigned slot = 0; // 0..9
    std::uint64_t number = 0;
    std::string_view header; // the whole first line, for ops that take text (user agent, target)
    std::string_view body;
};

inline Step parse_step(std::string_view chunk) {
    Step s;
    const auto nl = chunk.find('\n');
    s.header = chunk.substr(0, nl);
    s.body = nl == std::string_view::npos ? std::string_view{} : chunk.substr(nl + 1);
    if (s.header.empty())
        return s;
    s.op = s.header[0];
    std::size_t i = 1;
    if (i < s.header.size() && std::isdigit(static_cast<unsigned char>(s.header[i])))
        s.slot = static_cast<unsigned>(s.header[i++] - '0');
    while (i < s.header.size() && s.header[i] == ' ')
        ++i;
    // Saturate instead of wrapping: the number is a status, seconds or a count.
    for (; i < s.header.size() && std::isdigit(static_cast<unsigned char>(s.header[i])); ++i)
        s.number = s.number > 1'000'000'000 ? s.number : s.number * 10 + (s.header[i] - '0');
    return s;
}

inline std::vector<Step> parse_steps(std::string_view input) {
    static constexpr std::string_view separator = "\n~~~\n";
    std::vector<Step> steps;
    while (true) {
        const auto at = input.find(separator);
        steps.push_back(parse_step(input.substr(0, at)));
        if (at == std::string_view::npos)
            break;
        input.remove_prefix(at + separator.size());
    }
    return steps;
}

} // namespace boshtap::fuzz
