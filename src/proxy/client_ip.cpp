#include "boshtap/proxy/client_ip.hpp"

#include <fmt/compile.h>
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <stdexcept>

namespace boshtap::proxy {

namespace net = boost::asio;

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

std::optional<net::ip::address> parse_address(std::string_view text) {
    boost::system::error_code ec;
    auto address = net::ip::make_address(std::string(text), ec);
    if (ec) return std::nullopt;
    return unmap(address);
}

template <std::size_t N>
bool prefix_equal(const std::array<unsigned char, N>& a, const std::array<unsigned char, N>& b,
                  unsigned prefix) {
    const unsigned whole = prefix / 8;
    if (!std::equal(a.begin(), a.begin() + whole, b.begin())) return false;
    const unsigned rest = prefix % 8;
    if (rest == 0) return true;
    const auto mask = static_cast<unsigned char>(0xFFu << (8 - rest));
    return (a[whole] & mask) == (b[whole] & mask);
}

} // namespace

net::ip::address unmap(const net::ip::address& address) {
    if (address.is_v6() && address.to_v6().is_v4_mapped())
        return net::ip::make_address_v4(net::ip::v4_mapped, address.to_v6());
    return address;
}

Cidr parse_cidr(std::string_view text) {
    const auto original = text;
    text = trim(text);
    const auto slash = text.find('/');
    boost::system::error_code ec;
    const auto address = net::ip::make_address(std::string(text.substr(0, slash)), ec);
    if (ec)
        throw std::invalid_argument(
            fmt::format("trusted proxy '{}': not an IP address or CIDR", original));
    const unsigned max = address.is_v4() ? 32 : 128;
    unsigned prefix = max;
    if (slash != std::string_view::npos) {
        const auto digits = text.substr(slash + 1);
        const auto [end, from_ec] =
            std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
        if (digits.empty() || from_ec != std::errc{} || end != digits.data() + digits.size() ||
            prefix > max)
            throw std::invalid_argument(fmt::format(
                "trusted proxy '{}': prefix length must be 0..{}", original, max));
    }
    // ::ffff:a.b.c.d/n (n >= 96) is the IPv4 network a.b.c.d/(n - 96).
    if (address.is_v6() && address.to_v6().is_v4_mapped() && prefix >= 96)
        return Cidr{unmap(address), prefix - 96};
    return Cidr{address, prefix};
}

std::vector<Cidr> parse_cidrs(const std::vector<std::string>& texts) {
    std::vector<Cidr> out;
    out.reserve(texts.size());
    for (const auto& text : texts) out.push_back(parse_cidr(text));
    return out;
}

std::string address_text(const net::ip::address& address) {
    if (!address.is_v4()) return address.to_string();
    // std::to_chars: even a compiled fmt format cost ~500 instructions a call here.
    const auto b = address.to_v4().to_bytes();
    char text[16];
    char* end = text;
    for (std::size_t i = 0; i < b.size(); ++i) {
        if (i != 0) *end++ = '.';
        end = std::to_chars(end, text + sizeof text, b[i]).ptr;
    }
    return std::string(text, end);
}

bool cidr_contains(const Cidr& cidr, const net::ip::address& raw) {
    const auto address = unmap(raw);
    if (address.is_v4() != cidr.network.is_v4()) return false;
    if (address.is_v4())
        return prefix_equal(address.to_v4().to_bytes(), cidr.network.to_v4().to_bytes(),
                            cidr.prefix);
    return prefix_equal(address.to_v6().to_bytes(), cidr.network.to_v6().to_bytes(),
                        cidr.prefix);
}

bool is_trusted(const std::vector<Cidr>& trusted, const net::ip::address& address) {
    return std::any_of(trusted.begin(), trusted.end(),
                       [&](const Cidr& c) { return cidr_contains(c, address); });
}

std::optional<net::ip::address> parse_forwarded_element(std::string_view element) {
    element = trim(element);
    if (element.empty()) return std::nullopt;
    if (element.front() == '[') { // "[v6]" or "[v6]:port"
        const auto close = element.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        const auto address = parse_address(element.substr(1, close - 1));
        if (!address || !address->is_v6()) return std::nullopt;
        return address;
    }
    // Exactly one colon: "v4:port". More than one: a bare IPv6 address.
    if (std::count(element.begin(), element.end(), ':') == 1) {
        const auto address = parse_address(element.substr(0, element.find(':')));
        if (!address || !address->is_v4()) return std::nullopt;
        return address;
    }
    return parse_address(element);
}

std::string resolve_client_ip(const net::ip::address& peer, std::string_view forwarded_for,
                              const std::vector<Cidr>& trusted) {
    auto current = unmap(peer);
    if (!is_trusted(trusted, current)) return address_text(current);
    // Walk right to left: each trusted hop vouches for the element it appended.
    std::string_view rest = forwarded_for;
    while (!rest.empty()) {
        const auto comma = rest.rfind(',');
        const auto element = trim(comma == std::string_view::npos ? rest : rest.substr(comma + 1));
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(0, comma);
        if (element.empty()) continue;
        const auto address = parse_forwarded_element(element);
        if (!address) break; // unidentifiable: stop at the last hop we know
        current = *address;
        if (!is_trusted(trusted, current)) break;
    }
    return address_text(current);
}

std::string extend_forwarded_for(std::string_view existing, const net::ip::address& peer) {
    existing = trim(existing);
    const auto self = address_text(unmap(peer));
    if (existing.empty()) return self;
    return fmt::format(FMT_COMPILE("{}, {}"), existing, self);
}

} // namespace boshtap::proxy
