#pragma once
// Namespace names the core matches against (after resolving prefixes, see xml.hpp).
#include <string_view>

namespace boshtap::core::ns {

inline constexpr std::string_view httpbind = "http://jabber.org/protocol/httpbind"; // XEP-0124
inline constexpr std::string_view client = "jabber:client";                         // RFC 6120
inline constexpr std::string_view framing = "urn:ietf:params:xml:ns:xmpp-framing";  // RFC 7395
inline constexpr std::string_view bind = "urn:ietf:params:xml:ns:xmpp-bind";        // RFC 6120 §7
inline constexpr std::string_view muc = "http://jabber.org/protocol/muc";           // XEP-0045
inline constexpr std::string_view muc_user = "http://jabber.org/protocol/muc#user";
inline constexpr std::string_view nick = "http://jabber.org/protocol/nick"; // XEP-0172
inline constexpr std::string_view sm2 = "urn:xmpp:sm:2";                    // XEP-0198
inline constexpr std::string_view sm3 = "urn:xmpp:sm:3";
inline constexpr std::string_view xml = "http://www.w3.org/XML/1998/namespace";

} // namespace boshtap::core::ns
