#include "boshtap/sinks/prometheus.hpp"

#include <fmt/format.h>

#include <cmath>

namespace boshtap::sinks {

namespace {

// Label values escape backslash, double quote and newline (exposition format).
std::string escape_label(std::string_view v)
{
    std::string out;
    out.reserve(v.size());
    for (const char c : v) {
        if (c == '\\') out += "\\\\";
        else if (c == '"') out += "\\\"";
        else if (c == '\n') out += "\\n";
        else out += c;
    }
    return out;
}

std::string number(double v)
{
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    if (std::isnan(v)) return "NaN";
    return fmt::format("{}", v);
}

} // namespace

void PrometheusText::family(std::string_view name, std::string_view type, std::string_view help)
{
    fmt::format_to(std::back_inserter(text_), "# HELP {} {}\n# TYPE {} {}\n", name, help, name,
                   type);
}

void PrometheusText::sample(std::string_view name, double value, const Labels& labels)
{
    text_ += name;
    if (!labels.empty()) {
        text_ += '{';
        bool first = true;
        for (const auto& [k, v] : labels) {
            if (!first) text_ += ',';
            first = false;
            fmt::format_to(std::back_inserter(text_), "{}=\"{}\"", k, escape_label(v));
        }
        text_ += '}';
    }
    text_ += ' ';
    text_ += number(value);
    text_ += '\n';
}

void PrometheusText::histogram(std::string_view name, const std::vector<double>& bounds,
                               const std::vector<std::uint64_t>& counts, double sum)
{
    const std::string bucket = std::string(name) + "_bucket";
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < counts.size(); ++i) {
        cumulative += counts[i];
        const double le = i < bounds.size() ? bounds[i] : INFINITY;
        sample(bucket, static_cast<double>(cumulative), {{"le", number(le)}});
    }
    sample(std::string(name) + "_sum", sum);
    sample(std::string(name) + "_count", static_cast<double>(cumulative));
}

} // namespace boshtap::sinks
