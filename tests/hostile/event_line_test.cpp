// Whatever a name or a header holds, an event stays one line of valid JSON.
#include "hostile_support.hpp"

#include <boost/json/value.hpp>

using namespace boshtap;
using namespace boshtap::hostile;

namespace {

const core::Event &joined(BoshSession &s, std::string_view nick_xml) {
    s.exchange({}, occupant_presence("alice", nick(nick_xml), {}, "<status code='110'/>"));
    REQUIRE(s.out.size() == 1);
    require_valid_lines(s.out);
    return s.out.back();
}

std::string logged_nick(const core::Event &e) {
    return std::string(
        boost::json::parse(core::to_json_line(e)).as_object().at("nick").as_string());
}

} // namespace

TEST_CASE("A nick with newlines and JSON metacharacters stays inside its string",
          "[hostile][json]") {
    BoshSession s;
    const std::string name = "line1\nline2\r\"},{\"event\":\"leave\"}\\ \t</script>";
    std::string xml = name;
    // As a server escapes it: only & and < need escaping in text, CR as a reference.
    xml.replace(xml.find('\r'), 1, "&#13;");
    xml.replace(xml.find('<'), 1, "&lt;");
    const auto &e = joined(s, xml);
    CHECK(logged_nick(e) == name);
}

TEST_CASE("U+2028 and U+2029 in a nick keep the line one JSON object", "[hostile][json]") {
    BoshSession s;
    const std::string name = "a\xE2\x80\xA8"
                             "b\xE2\x80\xA9"
                             "c";
    const auto &e = joined(s, name);
    CHECK(logged_nick(e) == name);
}

TEST_CASE("Control characters from references are escaped", "[hostile][json]") {
    BoshSession s;
    const auto &e = joined(s, "tab&#9;lf&#10;cr&#13;del\x7F");
    CHECK(logged_nick(e) == "tab\tlf\ncr\rdel\x7F");
}

// Formerly open bug 2: the user agent comes from an HTTP header, where Beast accepts obs-text
// (bytes 0x80-0xFF); event_json.cpp copied it unchecked, so the line was not valid UTF-8. Now
// invalid bytes become U+FFFD.
TEST_CASE("A user agent with invalid UTF-8 still gives a valid JSON line", "[hostile][json]") {
    core::Tracker tracker;
    core::BoshTap tap(tracker);
    core::Events out;
    const core::HttpMeta meta{"198.51.100.7", "Mozilla/5.0 \xFF\xFE\xC0\xAF", "/http-bind"};
    tap.on_request(1, meta, "<body xmlns='http://jabber.org/protocol/httpbind' rid='1'/>", at(0),
                   out);
    tap.on_response(1, 200, response({}, "sid='s1'"), at(0), out);
    tap.on_request(2, meta, request("s1", 2), at(1), out);
    tap.on_response(2, 200,
                    response(occupant_presence("alice", nick("A"), {}, "<status code='110'/>")),
                    at(1), out);
    REQUIRE(out.size() == 1);
    require_valid_lines(out);
    const auto o = boost::json::parse(core::to_json_line(out[0])).as_object();
    CHECK(o.at("user_agent") == "Mozilla/5.0 \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
}
