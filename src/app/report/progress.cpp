#include "progress.hpp"

#include <fmt/format.h>

#include <ostream>

namespace boshtap::app::report {

namespace {

// Below this the report is done before anyone would look at a progress line.
constexpr std::uint64_t large_input = 8u << 20;
constexpr auto interval = std::chrono::milliseconds(200);

} // namespace

Progress::Progress(std::ostream& err, bool enabled, std::uint64_t total_bytes)
    : err_(err), enabled_(enabled && total_bytes >= large_input), total_(total_bytes)
{
}

Progress::~Progress()
{
    clear();
}

void Progress::reading(const std::string& file, std::uint64_t done_bytes, std::size_t events)
{
    if (!enabled_) return;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_ < interval) return;
    last_ = now;
    const auto percent = total_ ? done_bytes * 100 / total_ : 100;
    show(fmt::format("reading {}: {}% ({} events)", file, percent, events));
}

void Progress::step(const std::string& what)
{
    if (enabled_) show(what);
}

void Progress::show(const std::string& text)
{
    // Pad over the previous text instead of terminal escapes: works on any terminal.
    const std::size_t width = text.size();
    err_ << '\r' << text << std::string(shown_width_ > width ? shown_width_ - width : 0, ' ')
         << std::flush;
    shown_width_ = width;
}

void Progress::clear()
{
    if (!enabled_ || shown_width_ == 0) return;
    err_ << '\r' << std::string(shown_width_, ' ') << '\r' << std::flush;
    shown_width_ = 0;
}

} // namespace boshtap::app::report
