#include "boshtap/proxy/hop_by_hop.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <utility>
#include <vector>

using boshtap::proxy::strip_hop_by_hop;
namespace http = boost::beast::http;

namespace {

struct Case {
    const char* name;
    std::vector<std::pair<std::string, std::string>> in;
    std::vector<std::pair<std::string, std::string>> out; // in order
};

std::vector<std::pair<std::string, std::string>> listed(const http::fields& f) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& field : f) out.emplace_back(field.name_string(), field.value());
    return out;
}

} // namespace

TEST_CASE("hop-by-hop fields are removed, end-to-end ones kept (RFC 9110 7.6.1)", "[hop_by_hop]") {
    const std::vector<Case> cases{
        {"fixed set",
         {{"Connection", "keep-alive"}, {"Keep-Alive", "timeout=5"}, {"Proxy-Connection", "close"},
          {"TE", "trailers"}, {"Trailer", "X-T"}, {"Transfer-Encoding", "chunked"},
          {"Upgrade", "h2c"}, {"Content-Type", "text/xml"}},
         {{"Content-Type", "text/xml"}}},
        {"fields named by Connection, any case, several lines, odd spacing",
         {{"Connection", "X-Foo ,\tx-bar"}, {"connection", "X-Baz"}, {"X-Foo", "1"},
          {"X-BAR", "2"}, {"x-baz", "3"}, {"X-Keep", "4"}},
         {{"X-Keep", "4"}}},
        {"empty Connection tokens are harmless",
         {{"Connection", ", ,close,"}, {"Cookie", "a=b"}},
         {{"Cookie", "a=b"}}},
        {"end-to-end fields untouched, order and duplicates kept",
         {{"Host", "meet.example"}, {"X-Forwarded-For", "1.1.1.1"}, {"X-Forwarded-For", "2.2.2.2"},
          {"Content-Encoding", "gzip"}, {"Content-Length", "3"}},
         {{"Host", "meet.example"}, {"X-Forwarded-For", "1.1.1.1"}, {"X-Forwarded-For", "2.2.2.2"},
          {"Content-Encoding", "gzip"}, {"Content-Length", "3"}}},
        {"nothing to strip", {}, {}},
    };
    for (const auto& c : cases) {
        SECTION(c.name) {
            http::fields f;
            for (const auto& [name, value] : c.in) f.insert(name, value);
            strip_hop_by_hop(f);
            CHECK(listed(f) == c.out);
        }
    }
}
