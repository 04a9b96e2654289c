// Parsing untrusted XML and resolving namespaces by hand (pugixml has no namespace support).
#include "xml.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <sstream>
#include <string>
#include <vector>

using namespace boshtap::core;

TEST_CASE("xml::parse refuses malformed and forbidden input", "[xml]")
{
    const auto [what, text] = GENERATE(table<const char*, std::string>({
        {"empty", ""},
        {"garbage", "this is not xml"},
        {"unclosed element", "<body xmlns='http://jabber.org/protocol/httpbind'><presence>"},
        {"mismatched tags", "<a><b></a></b>"},
        {"two top-level elements", "<a/><b/>"},
        {"DOCTYPE with entities (billion laughs)",
         "<!DOCTYPE lolz [<!ENTITY lol 'lol'><!ENTITY lol2 '&lol;&lol;&lol;'>]><a>&lol2;</a>"},
        {"DOCTYPE with external entity",
         "<!DOCTYPE a [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><a>&x;</a>"},
        {"NUL byte", std::string("<a>x\0y</a>", 10)},
        {"overlong UTF-8", "<a>\xC0\xAF</a>"},
        {"lone continuation byte", "<a>\x80</a>"},
        {"UTF-16 surrogate in UTF-8", "<a>\xED\xA0\x80</a>"},
        {"beyond U+10FFFF", "<a>\xF4\x90\x80\x80</a>"},
        {"truncated sequence", "<a>\xE2\x82</a>"},
    }));
    INFO(what);
    pugi::xml_document doc;
    CHECK_FALSE(xml::parse(text, doc));
}

TEST_CASE("xml::parse accepts valid UTF-8 and leaves unknown entities unexpanded", "[xml]")
{
    pugi::xml_document doc;
    REQUIRE(
        xml::parse("<a>caf\xC3\xA9 \xF0\x9F\x98\x80 \xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D</a>", doc));
    CHECK(xml::text_of(doc.document_element()) ==
          "caf\xC3\xA9 \xF0\x9F\x98\x80 \xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D");
    REQUIRE(xml::parse("<a>&undefined;</a>", doc));
    CHECK(xml::text_of(doc.document_element()) == "&undefined;");
}

TEST_CASE("xml::parse survives deep nesting", "[xml]")
{
    constexpr int depth = 20000;
    std::string text = "<r xmlns='urn:deep'>";
    for (int i = 0; i < depth; ++i) text += "<a>";
    for (int i = 0; i < depth; ++i) text += "</a>";
    text += "</r>";
    pugi::xml_document doc;
    REQUIRE(xml::parse(text, doc));
    auto node = doc.document_element();
    while (node.first_child()) node = node.first_child();
    CHECK(xml::namespace_of(node) == "urn:deep"); // inherited through every ancestor
}

TEST_CASE("namespace resolution follows xmlns declarations on self and ancestors", "[xml]")
{
    const auto [what, text, path_ns] = GENERATE(table<const char*, const char*, const char*>({
        {"default on self", "<r><nick xmlns='urn:n'/></r>", "urn:n"},
        {"default inherited from wrapper", "<body xmlns='urn:body'><nick/></body>", "urn:body"},
        {"prefixed, declared on self", "<r><p:nick xmlns:p='urn:n'/></r>", "urn:n"},
        {"prefixed, declared on the BOSH body",
         "<body xmlns='urn:body' xmlns:p='urn:n'><p:nick/></body>", "urn:n"},
        {"nearest declaration wins", "<r xmlns:p='urn:outer'><p:nick xmlns:p='urn:inner'/></r>",
         "urn:inner"},
        {"undeclared prefix", "<r xmlns='urn:d'><q:nick/></r>", ""},
        {"prefix does not take the default", "<r xmlns='urn:d'><p:nick xmlns:q='urn:n'/></r>", ""},
        {"no namespace at all", "<r><nick/></r>", ""},
        {"xml prefix is predefined", "<r><xml:nick/></r>", "http://www.w3.org/XML/1998/namespace"},
    }));
    INFO(what);
    pugi::xml_document doc;
    REQUIRE(xml::parse(text, doc));
    const auto nick = doc.document_element().first_child();
    CHECK(xml::local_name(nick) == "nick");
    CHECK(xml::namespace_of(nick) == std::string_view(path_ns));
    // The shortcut from the parent's namespace agrees with the full walk.
    const auto parent = doc.document_element();
    CHECK(xml::child_namespace(nick, parent, xml::namespace_of(parent)) ==
          std::string_view(path_ns));
}

TEST_CASE("child_namespace under a prefixed parent does not take the parent's namespace", "[xml]")
{
    pugi::xml_document doc;
    REQUIRE(xml::parse("<b xmlns='urn:d'><c:presence xmlns:c='jabber:client'><nick/>"
                       "</c:presence></b>",
                       doc));
    const auto presence = doc.document_element().first_child();
    const auto nick = presence.first_child();
    CHECK(xml::namespace_of(presence) == "jabber:client");
    CHECK(xml::child_namespace(nick, presence, "jabber:client") == "urn:d");
}

TEST_CASE("a declaration on a sibling is not in scope", "[xml]")
{
    pugi::xml_document doc;
    REQUIRE(xml::parse("<r><a xmlns:p='urn:n'/><p:nick/></r>", doc));
    const auto nick = doc.document_element().last_child();
    CHECK(xml::namespace_of(nick).empty());
    CHECK_FALSE(xml::is(nick, "urn:n", "nick"));
    CHECK_FALSE(xml::child(doc.document_element(), "urn:n", "nick"));
}

TEST_CASE("text_of decodes entities and joins text and CDATA", "[xml]")
{
    const auto [text, expected] = GENERATE(table<const char*, const char*>({
        {"<n>Bob O&apos;Neil</n>", "Bob O'Neil"},
        {"<n>A &amp; B &lt;3&gt;</n>", "A & B <3>"},
        {"<n>&#233;&#xE9;</n>", "\xC3\xA9\xC3\xA9"},
        {"<n>&#x1F600;</n>", "\xF0\x9F\x98\x80"},
        {"<n>a<![CDATA[<b>]]>c</n>", "a<b>c"},
        {"<n>&quot;q&quot;</n>", "\"q\""},
    }));
    pugi::xml_document doc;
    REQUIRE(xml::parse(text, doc));
    CHECK(xml::text_of(doc.document_element()) == expected);
}

TEST_CASE("xml::parse refuses character references that name no XML Char", "[xml]")
{
    const auto [what, text] = GENERATE(table<const char*, const char*>({
        {"NUL (would cut the C string)", "<a>vic&#0;tim</a>"},
        {"NUL in an attribute", "<a from='r@c/vic&#0;tim'/>"},
        {"NUL, hex", "<a>&#x0;</a>"},
        {"control character", "<a>&#x1;</a>"},
        {"high surrogate", "<a>&#xD800;</a>"},
        {"low surrogate, decimal", "<a>&#57343;</a>"},
        {"U+FFFE", "<a>&#xFFFE;</a>"},
        {"U+FFFF", "<a>&#65535;</a>"},
        {"past U+10FFFF", "<a>&#x110000;</a>"},
        {"32-bit maximum", "<a n='&#xFFFFFFFF;'/>"},
        {"wraps to 'A' in 32 bits", "<a>&#x100000041;</a>"},
        {"many digits", "<a>&#99999999999999999999999999;</a>"},
    }));
    INFO(what);
    pugi::xml_document doc;
    CHECK_FALSE(xml::parse(text, doc));
}

TEST_CASE("xml::parse keeps legal references and reference look-alikes", "[xml]")
{
    const auto [text, expected] = GENERATE(table<const char*, const char*>({
        {"<n>&#9;&#xA;&#13;&#x20;</n>", "\t\n\r "},
        {"<n>&#xD7FF;&#xE000;&#xFFFD;</n>", "\xED\x9F\xBF\xEE\x80\x80\xEF\xBF\xBD"},
        {"<n>&#x10000;&#x10FFFF;</n>", "\xF0\x90\x80\x80\xF4\x8F\xBF\xBF"},
        {"<n>&#x0041;&#00065;</n>", "AA"},
        // Not references: pugixml keeps them as text, so nothing unsafe reaches a field.
        {"<n>&#X0;</n>", "&#X0;"},
        {"<n>&#;&#x;</n>", "&#;&#x;"},
        {"<n>&#0 ;</n>", "&#0 ;"},
        {"<n>&amp;#0;</n>", "&#0;"},
    }));
    INFO(text);
    pugi::xml_document doc;
    REQUIRE(xml::parse(text, doc));
    CHECK(xml::text_of(doc.document_element()) == expected);
}

TEST_CASE("xml::parse bounds the attributes of an element", "[xml]")
{
    const auto element = [](const char* name, int attributes) {
        std::string s = std::string("<") + name;
        for (int i = 0; i < attributes; ++i) s += " a" + std::to_string(i) + "=''";
        return s;
    };
    pugi::xml_document doc;
    CHECK(xml::parse(element("r", 64) + "/>", doc));
    CHECK_FALSE(xml::parse(element("r", 65) + "/>", doc));
    // Anywhere in the tree, after any sibling.
    CHECK(xml::parse("<r><a/>" + element("b", 64) + "/></r>", doc));
    CHECK_FALSE(xml::parse("<r><a/><b>" + element("c", 65) + "/></b></r>", doc));
}

TEST_CASE("namespace_of compares names without scanning long ones", "[xml]")
{
    // A huge attribute name on the body, looked at once per child, must not cost its length
    // each time (that would be quadratic in the body).
    const std::string huge(200'000, 'y');
    std::string text = "<body x" + huge + "='' xmlns='urn:b'>";
    for (int i = 0; i < 20'000; ++i) text += "<p/>";
    text += "</body>";
    pugi::xml_document doc;
    REQUIRE(xml::parse(text, doc));
    std::size_t in_ns = 0;
    for (const auto& c : doc.document_element().children()) in_ns += xml::is(c, "urn:b", "p");
    CHECK(in_ns == 20'000);
    // A name that starts like the declaration is not the declaration.
    REQUIRE(xml::parse("<r xmlnsx='urn:no'><p:n xmlns:pq='urn:no'/></r>", doc));
    CHECK(xml::namespace_of(doc.document_element()).empty());
    CHECK(xml::namespace_of(doc.document_element().first_child()).empty());
}

TEST_CASE("UTF-8 and NUL check: every position of a word, every sequence length", "[xml]")
{
    // The check runs eight bytes at a time over ASCII: put each fault at each offset so that
    // it lands in a word, straddles two, or sits in the unaligned tail.
    const std::string valid[] = {"\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80", "a"};
    const std::string invalid[] = {
        std::string(1, '\0'), "\xC0\xAF" /* overlong */, "\xED\xA0\x80" /* surrogate */,
        "\xF4\x90\x80\x80" /* past U+10FFFF */, "\x80" /* lone continuation */,
        "\xE2\x82" /* truncated */, "\xFF"};
    for (std::size_t before = 0; before < 20; ++before) {
        for (std::size_t after : {std::size_t{0}, std::size_t{3}, std::size_t{11}}) {
            const std::string head(before, 'x'), tail(after, 'y');
            for (const auto& v : valid) {
                CHECK(xml::is_nul_free_utf8(head + v + tail));
                CHECK(xml::is_valid_utf8(head + v + tail));
            }
            for (const auto& bad : invalid) {
                const auto text = head + bad + tail;
                CHECK_FALSE(xml::is_nul_free_utf8(text));
                // NUL is valid UTF-8; only the XML check refuses it.
                CHECK(xml::is_valid_utf8(text) == (bad == std::string(1, '\0')));
            }
        }
    }
    // A truncated sequence at the very end, after whole ASCII words.
    CHECK_FALSE(xml::is_nul_free_utf8(std::string(16, 'a') + "\xF0\x9F\x98"));
}

TEST_CASE("scan_text decides as is_nul_free_utf8 and counts '=' and '&'", "[xml]")
{
    // Sixteen bytes at a time over plain ASCII: faults, '=' and '&' at every offset of a block,
    // after sequences that straddle two blocks, and in the tail.
    const std::string pieces[] = {"a", "=", "&", "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80",
                                  std::string(1, '\0'), "\xC0\xAF", "\x80", "\xE2\x82", "\xFF"};
    const auto check = [](const std::string& text) {
        INFO(text.size());
        const auto scan = xml::scan_text(text);
        REQUIRE(scan.nul_free_utf8 == xml::is_nul_free_utf8(text));
        if (scan.nul_free_utf8) {
            CHECK(scan.equals == static_cast<std::size_t>(std::count(text.begin(), text.end(), '=')));
            CHECK(scan.ampersand == (text.find('&') != std::string::npos));
        }
    };
    for (std::size_t before = 0; before < 40; ++before) {
        for (std::size_t after : {std::size_t{0}, std::size_t{1}, std::size_t{7}, std::size_t{15},
                                  std::size_t{16}, std::size_t{33}}) {
            for (const auto& a : pieces) {
                for (const auto& b : pieces)
                    check(std::string(before, 'x') + a + "=" + b + std::string(after, '&'));
            }
        }
    }
    // Random mixtures of the same pieces.
    std::mt19937 rng(7);
    for (int i = 0; i < 20000; ++i) {
        std::string text;
        const auto n = rng() % 64;
        for (std::size_t k = 0; k < n; ++k) {
            const auto r = rng() % 40;
            text += r < std::size(pieces) ? pieces[r] : std::string(1, static_cast<char>('b' + r % 5));
        }
        check(text);
    }
}

namespace {

std::string tree(const pugi::xml_node& node)
{
    std::ostringstream out;
    node.print(out, "", pugi::format_raw);
    return out.str();
}

} // namespace

TEST_CASE("Document accepts, refuses and builds exactly what xml::parse does", "[xml]")
{
    std::vector<std::string> texts = {
        "",
        "<a/>",
        "<a/><b/>",
        "<a>",
        "x",
        "<",
        "<a/><",
        "<a>b</a>c",
        "<a/>\r\n",
        "<!DOCTYPE a><a/>",
        "<?xml version='1.0'?><a/>",
        "<!-- c --><a/><!-- d -->",
        std::string("<a>x\0y</a>", 10),
        "<a>\xC0\xAF</a>",
        "<a>&#0;</a>",
        "<a>&#x41;&amp;&undefined;&#;</a>",
        "<a b='1\r\n2\t3'>x\r\ny\ry<![CDATA[z\r\n]]></a>",
    };
    const std::string body =
        "<body xmlns='http://jabber.org/protocol/httpbind'><presence from='r@c/x'><nick "
        "xmlns='http://jabber.org/protocol/nick'>Zo\xC3\xAB &amp; \xF0\x9F\x98\x80</nick>"
        "</presence></body>";
    const auto element = [](int attributes, const char* value) {
        std::string s = "<r";
        for (int i = 0; i < attributes; ++i) s += " a" + std::to_string(i) + "='" + value + "'";
        return s + "/>";
    };
    for (int n : {0, 1, 63, 64, 65, 200}) {
        texts.push_back(element(n, ""));
        texts.push_back(element(n, "=")); // more '=' than attributes
        texts.push_back("<r><a/><b>" + element(n, "x") + "</b></r>");
    }
    // Every prefix of a body: truncated input, a '<' last, text last.
    for (std::size_t i = 0; i <= body.size(); ++i) texts.push_back(body.substr(0, i));

    xml::Document reused;
    for (const auto& text : texts) {
        INFO(text);
        pugi::xml_document doc;
        const bool expected = xml::parse(text, doc);
        xml::Document fresh;
        CHECK(fresh.parse(text) == expected);
        CHECK(reused.parse(text) == expected);
        if (expected) {
            CHECK(tree(fresh.root()) == tree(doc.document_element()));
            CHECK(tree(reused.root()) == tree(doc.document_element()));
        } else {
            CHECK_FALSE(fresh.root());
            CHECK_FALSE(reused.root());
        }
    }
}

TEST_CASE("A Document refuses an empty view whose data() is null", "[xml]")
{
    // Found by fuzzing (the copy into the document's buffer was a memcpy from null).
    xml::Document doc;
    CHECK_FALSE(doc.parse(std::string_view{}));
    CHECK_FALSE(doc.root());
}

TEST_CASE("A Document keeps its own copy of the text", "[xml]")
{
    xml::Document doc;
    {
        std::string text = "<a n='v'>t&amp;t</a>";
        REQUIRE(doc.parse(text));
        std::fill(text.begin(), text.end(), 'z');
    }
    CHECK(xml::attr(doc.root(), "n") == "v");
    CHECK(xml::text_of(doc.root()) == "t&t");
    // A larger body after a smaller one, and back.
    const std::string big = "<a>" + std::string(100'000, 'b') + "</a>";
    REQUIRE(doc.parse(big));
    CHECK(xml::text_of(doc.root()).size() == 100'000);
    REQUIRE(doc.parse("<c/>"));
    CHECK(xml::local_name(doc.root()) == "c");
}
