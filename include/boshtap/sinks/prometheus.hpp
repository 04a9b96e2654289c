#pragma once
// Prometheus text exposition format 0.0.4: HELP and TYPE once per family, then samples.
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace boshtap::sinks {

using Labels = std::vector<std::pair<std::string, std::string>>;

class PrometheusText {
public:
    // Starts a family; samples that follow belong to it.
    void family(std::string_view name, std::string_view type, std::string_view help);
    void sample(std::string_view name, double value, const Labels& = {});
    // Cumulative histogram from per-bucket counts (bounds in base units, ascending; the last
    // count is the +Inf overflow bucket).
    void histogram(std::string_view name, const std::vector<double>& bounds,
                   const std::vector<std::uint64_t>& counts, double sum);

    const std::string& text() const { return text_; }

private:
    std::string text_;
};

} // namespace boshtap::sinks
