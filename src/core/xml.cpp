#include "xml.hpp"

#include "namespaces.hpp"

#include <string>

namespace boshtap::core::xml {

bool is_valid_utf8(std::string_view s) noexcept
{
    std::size_t i = 0;
    const std::size_t n = s.size();
    while (i < n) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            ++i;
            continue;
        }
        std::size_t len = 0;
        char32_t cp = 0;
        if ((c & 0xE0) == 0xC0) {
            len = 2;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (i + len > n) return false;
        for (std::size_t k = 1; k < len; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (cc & 0x3F);
        }
        // Overlong forms, UTF-16 surrogates and code points past Unicode are malformed.
        static constexpr char32_t min_for_len[] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < min_for_len[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        i += len;
    }
    return true;
}

bool parse(std::string_view text, pugi::xml_document& doc)
{
    if (text.find('\0') != std::string_view::npos || !is_valid_utf8(text)) return false;
    // parse_doctype keeps a DOCTYPE as a node so that it can be refused; pugixml never expands
    // entities other than the five predefined ones and character references.
    const auto result = doc.load_buffer(
        text.data(), text.size(), pugi::parse_default | pugi::parse_doctype, pugi::encoding_utf8);
    if (!result) return false;
    int elements = 0;
    for (const auto& node : doc.children()) {
        if (node.type() == pugi::node_doctype) return false;
        if (node.type() == pugi::node_element) ++elements;
    }
    return elements == 1;
}

std::string_view local_name(const pugi::xml_node& node) noexcept
{
    const std::string_view name = node.name();
    const auto colon = name.find(':');
    return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

std::string_view prefix(const pugi::xml_node& node) noexcept
{
    const std::string_view name = node.name();
    const auto colon = name.find(':');
    return colon == std::string_view::npos ? std::string_view{} : name.substr(0, colon);
}

std::string_view namespace_of(const pugi::xml_node& node) noexcept
{
    const std::string_view p = prefix(node);
    if (p == "xml") return ns::xml;
    // Build "xmlns" or "xmlns:p" without allocating for the common short prefixes.
    char buf[64];
    std::string_view wanted = "xmlns";
    if (!p.empty()) {
        if (p.size() + 6 > sizeof buf) return {};
        std::string_view head = "xmlns:";
        head.copy(buf, head.size());
        p.copy(buf + head.size(), p.size());
        wanted = std::string_view(buf, head.size() + p.size());
    }
    for (auto n = node; n && n.type() == pugi::node_element; n = n.parent()) {
        for (const auto& a : n.attributes()) {
            if (wanted == a.name()) return a.value();
        }
    }
    return {};
}

bool is(const pugi::xml_node& node, std::string_view ns, std::string_view local) noexcept
{
    return node.type() == pugi::node_element && local_name(node) == local &&
           namespace_of(node) == ns;
}

pugi::xml_node child(const pugi::xml_node& parent, std::string_view ns,
                     std::string_view local) noexcept
{
    for (const auto& c : parent.children()) {
        if (is(c, ns, local)) return c;
    }
    return {};
}

std::string text_of(const pugi::xml_node& node)
{
    std::string out;
    for (const auto& c : node.children()) {
        if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) out += c.value();
    }
    return out;
}

std::string_view attr(const pugi::xml_node& node, const char* name) noexcept
{
    return node.attribute(name).value();
}

} // namespace boshtap::core::xml
