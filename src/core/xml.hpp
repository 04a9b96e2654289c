#pragma once
// Parsing untrusted XML with pugixml, and the namespace processing pugixml does not do.
#include <pugixml.hpp>

#include <cstddef>
#include <memory>
#include <string_view>

namespace boshtap::core::xml {

// Parses exactly one element from `text` into `doc`. Rejects what pugixml would let through but
// XMPP forbids (RFC 6120 §11.1): any DOCTYPE (so no entity is ever declared or expanded), NUL
// bytes, malformed UTF-8, character references that name no XML Char (XML 1.0 §2.2, §4.1: a
// surrogate, past U+10FFFF, NUL), elements with more than 64 attributes, and more than one
// top-level element.
bool parse(std::string_view text, pugi::xml_document& doc);

// A parsed body that owns its text: pugixml parses a private copy in place, so the tree's
// strings live as long as the Document (a BOSH body held until a rid gap fills keeps its own).
// parse() may be called again: the buffer is kept, so a reused Document costs no allocation
// for bodies that fit it. Accepts and refuses exactly what xml::parse does.
class Document {
public:
    bool parse(std::string_view text);
    // The top-level element of the last successful parse.
    pugi::xml_node root() const noexcept { return root_; }
    std::size_t capacity() const noexcept { return capacity_; }

private:
    std::unique_ptr<char[]> text_;
    std::size_t capacity_ = 0;
    pugi::xml_document doc_;
    pugi::xml_node root_;
};

bool is_valid_utf8(std::string_view) noexcept;
// Valid UTF-8 without a NUL byte, in one pass.
bool is_nul_free_utf8(std::string_view) noexcept;

// is_nul_free_utf8, and in the same pass what the later checks need to know of the text: how
// many '=' it has (every attribute pugixml makes consumes one) and whether it has an '&'.
struct TextScan {
    bool nul_free_utf8 = false;
    std::size_t equals = 0; // only counted up to the first fault
    bool ampersand = false;
};
TextScan scan_text(std::string_view) noexcept;

// "p:local" -> "local" / "p"; no prefix -> "".
std::string_view local_name(const pugi::xml_node&) noexcept;
std::string_view prefix(const pugi::xml_node&) noexcept;

// The element's namespace name: its prefix (or the default namespace) bound by the nearest
// xmlns:p / xmlns declaration on the element or an ancestor (Namespaces in XML 1.0 §6).
// Unbound -> "".
std::string_view namespace_of(const pugi::xml_node&) noexcept;

// namespace_of(child), given its parent's already resolved namespace: an unprefixed child of
// an unprefixed parent looks only at its own attributes instead of every ancestor's.
std::string_view child_namespace(const pugi::xml_node& child, const pugi::xml_node& parent,
                                 std::string_view parent_ns) noexcept;

bool is(const pugi::xml_node&, std::string_view ns, std::string_view local) noexcept;

// The first child element with this expanded name, or an empty node.
pugi::xml_node child(const pugi::xml_node& parent, std::string_view ns,
                     std::string_view local) noexcept;

// Character data of the element's direct text and CDATA children, entities already decoded.
std::string text_of(const pugi::xml_node&);

std::string_view attr(const pugi::xml_node&, const char* name) noexcept;

} // namespace boshtap::core::xml
