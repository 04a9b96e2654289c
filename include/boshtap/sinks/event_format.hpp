#pragma once
// How events become log lines: the JSON of core::to_json, with the operator's privacy policy
// applied (client address full / truncated / keyed hash / omitted; optional fields dropped).
// docs/privacy.md says what each field reveals and why the defaults are what they are.
#include "boshtap/core/event.hpp"

#include <boost/json/object.hpp>

#include <set>
#include <string>
#include <string_view>

namespace boshtap::sinks {

enum class ClientIpMode { full, truncate, hash, off };

// Fields an operator may leave out of the log; the others are the contract and always there.
inline const std::set<std::string>& optional_fields()
{
    static const std::set<std::string> fields{"jid", "client_ip", "user_agent", "conn"};
    return fields;
}

struct PrivacyOptions {
    ClientIpMode client_ip = ClientIpMode::full;
    std::string hash_key;                         // secret for ClientIpMode::hash (>= 16 bytes)
    std::set<std::string> fields = optional_fields(); // optional fields to write
};

// "full" | "truncate" | "hash" | "off"; throws std::invalid_argument.
ClientIpMode parse_client_ip_mode(std::string_view);
// "jid,conn" keeps only those optional fields; "-user_agent,-jid" drops those from all;
// throws std::invalid_argument naming an unknown field.
std::set<std::string> parse_log_fields(std::string_view);

// 203.0.113.24 -> 203.0.113.0, 2001:db8:1:2::5 -> 2001:db8:1:: (/24 and /48); anything that
// is not an address -> "" (it must not leak through).
std::string truncate_ip(std::string_view ip);
// Keyed HMAC-SHA256, first 16 hex digits: the same address gives the same value under the
// same key (so one participant's connections can be correlated), but the address cannot be
// recovered without the key.
std::string hash_ip(std::string_view ip, std::string_view key);

class EventFormat {
public:
    explicit EventFormat(PrivacyOptions = {});
    std::string line(const core::Event&) const; // one JSON object, no newline
    // Applies the policy to any object with the event fields (also used for /rooms).
    void redact(boost::json::object&) const;

private:
    PrivacyOptions options_;
};

} // namespace boshtap::sinks
