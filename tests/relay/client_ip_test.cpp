#include "boshtap/proxy/client_ip.hpp"

#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>
#include <vector>

using namespace boshtap::proxy;
namespace ip = boost::asio::ip;

namespace {
ip::address a(const char* s) { return ip::make_address(s); }
} // namespace

TEST_CASE("CIDR matching, IPv4 and IPv6", "[client_ip]") {
    struct Row {
        const char* cidr;
        const char* address;
        bool inside;
    };
    const Row rows[] = {
        {"127.0.0.1/32", "127.0.0.1", true},
        {"127.0.0.1/32", "127.0.0.2", false},
        {"10.0.0.0/8", "10.255.1.2", true},
        {"10.0.0.0/8", "11.0.0.1", false},
        {"172.16.0.0/12", "172.31.255.255", true},
        {"172.16.0.0/12", "172.32.0.0", false},
        {"192.168.1.0/25", "192.168.1.127", true},
        {"192.168.1.0/25", "192.168.1.128", false},
        {"0.0.0.0/0", "8.8.8.8", true},
        {"0.0.0.0/0", "::1", false}, // families never mix
        {"10.1.2.3", "10.1.2.3", true}, // bare address: host route
        {"10.1.2.3", "10.1.2.4", false},
        {"10.0.0.0/8", "::ffff:10.1.1.1", true}, // v4-mapped from a dual-stack socket
        {"::1/128", "::1", true},
        {"::1/128", "::2", false},
        {"fd00::/8", "fdab:cd::1", true},
        {"fd00::/8", "fe80::1", false},
        {"2001:db8::/33", "2001:db8:7fff::1", true},
        {"2001:db8::/33", "2001:db8:8000::1", false},
        {"::/0", "2001:db8::1", true},
        {"::/0", "1.2.3.4", false},
        {"::ffff:192.168.0.0/112", "192.168.3.4", true}, // mapped CIDR is stored as v4
    };
    for (const auto& r : rows) {
        INFO(r.cidr << " contains " << r.address);
        CHECK(cidr_contains(parse_cidr(r.cidr), a(r.address)) == r.inside);
    }
}

TEST_CASE("bad CIDRs are rejected with the offending text", "[client_ip]") {
    for (const char* bad : {"", "10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/x", "nginx",
                            "10.0.0/8", "10.0.0.0/8/1"}) {
        INFO(bad);
        try {
            parse_cidr(bad);
            FAIL("accepted");
        } catch (const std::invalid_argument& e) {
            CHECK_THAT(e.what(), Catch::Contains(std::string("'") + bad + "'"));
        }
    }
}

TEST_CASE("X-Forwarded-For elements", "[client_ip]") {
    struct Row {
        const char* element;
        const char* parsed; // "" = not an address
    };
    const Row rows[] = {
        {"1.2.3.4", "1.2.3.4"},     {" 1.2.3.4\t", "1.2.3.4"}, {"1.2.3.4:5678", "1.2.3.4"},
        {"2001:db8::1", "2001:db8::1"}, {"[2001:db8::1]", "2001:db8::1"},
        {"[2001:db8::1]:443", "2001:db8::1"}, {"::ffff:1.2.3.4", "1.2.3.4"},
        {"unknown", ""}, {"", ""}, {"1.2.3.4.5", ""}, {"[1.2.3.4]", ""}, {"[::1", ""},
        {"<script>", ""}, {"1.2.3.4:80:90", ""},
    };
    for (const auto& r : rows) {
        INFO("'" << r.element << "'");
        const auto parsed = parse_forwarded_element(r.element);
        CHECK((parsed ? parsed->to_string() : std::string()) == r.parsed);
    }
}

TEST_CASE("client IP: the rightmost untrusted hop, spoofing resisted", "[client_ip]") {
    const auto trusted = parse_cidrs({"127.0.0.1/32", "::1/128", "10.0.0.0/8", "fd00::/8"});
    struct Row {
        const char* name;
        const char* peer;
        const char* xff;
        const char* client;
    };
    const Row rows[] = {
        {"no proxy header, untrusted peer", "203.0.113.7", "", "203.0.113.7"},
        {"untrusted peer: its header is ignored", "203.0.113.7", "198.51.100.1", "203.0.113.7"},
        {"trusted peer, no header: the peer", "127.0.0.1", "", "127.0.0.1"},
        {"nginx on loopback", "127.0.0.1", "198.51.100.1", "198.51.100.1"},
        {"spoofed left part is skipped", "127.0.0.1", "6.6.6.6, 198.51.100.1", "198.51.100.1"},
        {"chain of trusted proxies", "127.0.0.1", "198.51.100.1, 10.0.0.5, 10.1.1.1",
         "198.51.100.1"},
        {"spoof behind trusted chain", "127.0.0.1", "1.1.1.1, 198.51.100.1, 10.0.0.5",
         "198.51.100.1"},
        {"everyone trusted: the leftmost", "127.0.0.1", "10.0.0.1, 10.0.0.2", "10.0.0.1"},
        {"garbage stops the walk at the last known hop", "127.0.0.1", "1.1.1.1, garbage, 10.0.0.9",
         "10.0.0.9"},
        {"garbage right at the peer", "127.0.0.1", "1.1.1.1, unknown", "127.0.0.1"},
        {"empty elements skipped", "127.0.0.1", "198.51.100.1, , ", "198.51.100.1"},
        {"ports stripped", "127.0.0.1", "198.51.100.1:4444", "198.51.100.1"},
        {"IPv6 client via v6 nginx", "::1", "2001:db8::42", "2001:db8::42"},
        {"IPv6 bracketed with port", "::1", "[2001:db8::42]:5000", "2001:db8::42"},
        {"IPv6 spoof left of client", "::1", "2001:db8::666, 2001:db8::42, fd00::1",
         "2001:db8::42"},
        {"mixed families", "::1", "198.51.100.1, fd00::3", "198.51.100.1"},
        {"v4-mapped peer matches v4 CIDR", "::ffff:127.0.0.1", "198.51.100.1", "198.51.100.1"},
        {"v4-mapped untrusted peer reported as v4", "::ffff:203.0.113.9", "1.1.1.1",
         "203.0.113.9"},
        {"IPv6 untrusted peer", "2001:db8::9", "198.51.100.1", "2001:db8::9"},
    };
    for (const auto& r : rows) {
        INFO(r.name);
        CHECK(resolve_client_ip(a(r.peer), r.xff, trusted) == r.client);
    }
}

TEST_CASE("X-Forwarded-For is extended with the peer", "[client_ip]") {
    CHECK(extend_forwarded_for("", a("127.0.0.1")) == "127.0.0.1");
    CHECK(extend_forwarded_for("  ", a("::1")) == "::1");
    CHECK(extend_forwarded_for("198.51.100.1", a("127.0.0.1")) == "198.51.100.1, 127.0.0.1");
    CHECK(extend_forwarded_for("1.1.1.1, 2.2.2.2", a("::ffff:10.0.0.1")) ==
          "1.1.1.1, 2.2.2.2, 10.0.0.1");
}

TEST_CASE("address text is what Asio writes", "[client_ip]") {
    for (const char* text : {"0.0.0.0", "1.2.3.4", "10.0.0.255", "127.0.0.1", "255.255.255.255",
                             "::1", "::ffff:198.51.100.7", "2001:db8::1"}) {
        const auto address = boost::asio::ip::make_address(text);
        CHECK(boshtap::proxy::address_text(address) == address.to_string());
    }
}
