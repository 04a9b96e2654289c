#include "boshtap/sinks/event_format.hpp"

#include "boshtap/core/event_json.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <stdexcept>

namespace boshtap::sinks {

ClientIpMode parse_client_ip_mode(std::string_view text)
{
    if (text == "full") return ClientIpMode::full;
    if (text == "truncate") return ClientIpMode::truncate;
    if (text == "hash") return ClientIpMode::hash;
    if (text == "off") return ClientIpMode::off;
    throw std::invalid_argument("must be full, truncate, hash or off");
}

std::set<std::string> parse_log_fields(std::string_view text)
{
    std::set<std::string> keep;
    std::set<std::string> drop;
    std::size_t start = 0;
    while (start <= text.size()) {
        const auto comma = text.find(',', start);
        std::string item(text.substr(start, comma == std::string_view::npos ? text.npos
                                                                             : comma - start));
        start = comma == std::string_view::npos ? text.size() + 1 : comma + 1;
        if (item.empty()) continue;
        const bool minus = item.front() == '-';
        if (minus) item.erase(0, 1);
        if (!optional_fields().count(item))
            throw std::invalid_argument(fmt::format(
                "unknown field '{}' (optional fields: jid, client_ip, user_agent, conn)", item));
        (minus ? drop : keep).insert(item);
    }
    if (!keep.empty() && !drop.empty())
        throw std::invalid_argument("give either fields to keep or -fields to drop, not both");
    if (keep.empty()) {
        keep = optional_fields();
        for (const auto& f : drop) keep.erase(f);
    }
    return keep;
}

std::string truncate_ip(std::string_view ip)
{
    const std::string text(ip);
    char out[INET6_ADDRSTRLEN] = {};
    in_addr v4{};
    if (::inet_pton(AF_INET, text.c_str(), &v4) == 1) {
        v4.s_addr &= htonl(0xffffff00u); // /24
        return ::inet_ntop(AF_INET, &v4, out, sizeof out);
    }
    in6_addr v6{};
    if (::inet_pton(AF_INET6, text.c_str(), &v6) == 1) {
        for (std::size_t i = 6; i < 16; ++i) v6.s6_addr[i] = 0; // /48
        return ::inet_ntop(AF_INET6, &v6, out, sizeof out);
    }
    return {};
}

std::string hash_ip(std::string_view ip, std::string_view key)
{
    std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
    unsigned int len = 0;
    ::HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(ip.data()), ip.size(), mac.data(), &len);
    std::string hex;
    for (unsigned i = 0; i < 8 && i < len; ++i) hex += fmt::format("{:02x}", mac[i]);
    return hex;
}

EventFormat::EventFormat(PrivacyOptions options) : options_(std::move(options))
{
    if (options_.client_ip == ClientIpMode::hash && options_.hash_key.size() < 16)
        throw std::invalid_argument("the client address hash key must be at least 16 bytes");
}

std::string EventFormat::line(const core::Event& event) const
{
    auto json = core::to_json(event);
    redact(json);
    return core::serialize_line(json);
}

void EventFormat::redact(boost::json::object& json) const
{
    for (const auto& field : optional_fields())
        if (!options_.fields.count(field)) json.erase(field);
    if (auto* ip = json.if_contains("client_ip"); ip && ip->is_string()) {
        const std::string_view value = ip->get_string();
        switch (options_.client_ip) {
        case ClientIpMode::full: break;
        case ClientIpMode::truncate: *ip = truncate_ip(value); break;
        case ClientIpMode::hash: *ip = hash_ip(value, options_.hash_key); break;
        case ClientIpMode::off: json.erase("client_ip"); break;
        }
    }
}

} // namespace boshtap::sinks
