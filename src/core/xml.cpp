#include "xml.hpp"

#include "namespaces.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include <malloc.h> // malloc_usable_size

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace boshtap::core::xml {

namespace {

// pugixml takes its memory in pages of 32 KiB (PUGIXML_MEMORY_PAGE_SIZE, default in Debian's
// build), at least one per parsed body, and frees them when the document is reset or
// destroyed: a malloc and a free of 32 KiB per body, which glibc serves from its bins (and
// which trigger malloc_consolidate). A few freed page-sized blocks are kept per thread for the
// next parse. Every block is an ordinary malloc block either way, so memory that pugixml took
// before these functions were installed, or gives back on another thread, is handled too.
constexpr std::size_t pugi_page_size = 32768;
constexpr int cached_pages = 4;

struct PageCache {
    void* pages[cached_pages];
    int count;
    bool reaper_registered;
    bool closed; // the thread is ending: free, do not keep
};
// Trivially destructible, so its storage is valid for the whole thread; the reaper empties it.
thread_local constinit PageCache page_cache{};

struct PageCacheReaper {
    ~PageCacheReaper()
    {
        page_cache.closed = true;
        while (page_cache.count > 0) std::free(page_cache.pages[--page_cache.count]);
    }
};

void* pugi_allocate(std::size_t size)
{
    auto& cache = page_cache;
    if (size == pugi_page_size && cache.count > 0) return cache.pages[--cache.count];
    return std::malloc(size);
}

void pugi_deallocate(void* block)
{
    auto& cache = page_cache;
    if (block && !cache.closed && cache.count < cached_pages) {
        const std::size_t usable = malloc_usable_size(block);
        if (usable >= pugi_page_size && usable < 2 * pugi_page_size) {
            if (!cache.reaper_registered) {
                cache.reaper_registered = true;
                thread_local PageCacheReaper reaper;
                static_cast<void>(reaper);
            }
            cache.pages[cache.count++] = block;
            return;
        }
    }
    std::free(block);
}

// Installed before main (this file is linked wherever the core parses), before any parse.
[[maybe_unused]] const bool page_cache_installed = [] {
    pugi::set_memory_management_functions(pugi_allocate, pugi_deallocate);
    return true;
}();

// One multi-byte sequence at s[i] (s[i] >= 0x80): its length, or 0 if malformed. Overlong
// forms, UTF-16 surrogates and code points past Unicode are malformed.
std::size_t utf8_sequence(std::string_view s, std::size_t i) noexcept
{
    const auto c = static_cast<unsigned char>(s[i]);
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
        return 0;
    }
    if (i + len > s.size()) return 0;
    for (std::size_t k = 1; k < len; ++k) {
        const auto cc = static_cast<unsigned char>(s[i + k]);
        if ((cc & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (cc & 0x3F);
    }
    static constexpr char32_t min_for_len[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_for_len[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return len;
}

// Both checks in one pass, eight bytes at a time while the text is plain ASCII (nearly all of
// it in XMPP): the first pass over a body is the one that pays its cache misses.
template <bool RejectNul> bool check_utf8(std::string_view s) noexcept
{
    constexpr std::uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    std::size_t i = 0;
    const std::size_t n = s.size();
    while (i < n) {
        if (i + 8 <= n) {
            std::uint64_t w;
            std::memcpy(&w, s.data() + i, sizeof w);
            const bool ascii = (w & highs) == 0;
            const bool has_nul = RejectNul && ((w - ones) & ~w & highs) != 0;
            if (ascii && !has_nul) {
                i += 8;
                continue;
            }
        }
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            if (RejectNul && c == 0) return false;
            ++i;
            continue;
        }
        const auto len = utf8_sequence(s, i);
        if (len == 0) return false;
        i += len;
    }
    return true;
}

} // namespace

bool is_valid_utf8(std::string_view s) noexcept
{
    return check_utf8<false>(s);
}

bool is_nul_free_utf8(std::string_view s) noexcept
{
    return check_utf8<true>(s);
}

namespace {

// std::popcount without the POPCNT instruction (not in the x86-64 baseline) is a call into
// libgcc; sixteen bits take a few shifts and adds.
constexpr std::size_t popcount16(unsigned x) noexcept
{
    x = x - ((x >> 1) & 0x5555u);
    x = (x & 0x3333u) + ((x >> 2) & 0x3333u);
    x = (x + (x >> 4)) & 0x0F0Fu;
    return (x + (x >> 8)) & 0x1Fu;
}
static_assert(popcount16(0xFFFFu) == 16 && popcount16(0x8001u) == 2 && popcount16(0) == 0);

} // namespace

TextScan scan_text(std::string_view s) noexcept
{
    // The same decisions as check_utf8<true>: plain ASCII without NUL is skipped sixteen bytes
    // at a time; every other byte is taken in order, as the byte loop takes it.
    const char* const p = s.data();
    const std::size_t n = s.size();
    std::size_t i = 0;
    std::size_t equals = 0;
    bool ampersand = false;
    const auto take = [&](std::size_t at) noexcept -> std::size_t {
        // One character at s[at] that is not plain ASCII or is NUL: its length, 0 if refused.
        const auto c = static_cast<unsigned char>(p[at]);
        if (c == 0) return 0;
        return c < 0x80 ? 1 : utf8_sequence(s, at);
    };
    // '=' and '&' are counted once per byte: s[0, counted) is counted. A multi-byte sequence
    // may run past `counted`; its continuation bytes are neither '=' nor '&'.
    std::size_t counted = 0;
#if defined(__SSE2__)
    const __m128i eq = _mm_set1_epi8('='), amp = _mm_set1_epi8('&'), zero = _mm_setzero_si128();
    while (i + 16 <= n) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
        const unsigned fresh = counted > i ? 0xFFFFu << (counted - i) & 0xFFFFu : 0xFFFFu;
        if (const unsigned m = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, eq))) & fresh)
            equals += popcount16(m);
        ampersand |= (static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, amp))) & fresh) != 0;
        counted = i + 16;
        const unsigned special = static_cast<unsigned>(_mm_movemask_epi8(v)) |
                                 static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, zero)));
        if (special == 0) {
            i += 16;
            continue;
        }
        i += static_cast<std::size_t>(std::countr_zero(special)); // plain ASCII before it
        const auto len = take(i);
        if (len == 0) return {};
        i += len;
    }
#endif
    // The tail, byte by byte (the whole text without SSE2).
    while (i < n) {
        const auto c = static_cast<unsigned char>(p[i]);
        if (i >= counted) {
            equals += c == '=';
            ampersand |= c == '&';
        }
        const auto len = c != 0 && c < 0x80 ? 1 : take(i);
        if (len == 0) return {};
        i += len;
    }
    return {true, equals, ampersand};
}

namespace {

// XML 1.0 §2.2 Char: what a character reference may name (§4.1, well-formedness constraint
// "Legal Character").
constexpr bool is_xml_char(std::uint32_t c) noexcept
{
    return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
           (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

constexpr int dec_digit(char c) noexcept
{
    return c >= '0' && c <= '9' ? c - '0' : -1;
}

constexpr int hex_digit(char c) noexcept
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// pugixml decodes `&#N;` and `&#xH;` after our UTF-8 check and writes whatever code point they
// name: a surrogate or a value past U+10FFFF becomes malformed UTF-8, `&#0;` a NUL that cuts the
// C string it lands in. Such a reference is not well-formed XML, so no server sends one: refuse
// the text. Matches what pugixml decodes (digits then ';', lowercase 'x' only); anything else it
// keeps as literal text, which the UTF-8 check has already covered. Comments and CDATA are
// scanned too: RFC 6120 §11.1 forbids the former and servers never emit the latter.
bool char_refs_are_chars(std::string_view text) noexcept
{
    for (auto amp = text.find("&#"); amp != std::string_view::npos;
         amp = text.find("&#", amp + 2)) {
        std::size_t i = amp + 2;
        const bool hex = i < text.size() && text[i] == 'x';
        if (hex) ++i;
        const std::size_t first = i;
        std::uint32_t value = 0;
        for (; i < text.size(); ++i) {
            const int d = hex ? hex_digit(text[i]) : dec_digit(text[i]);
            if (d < 0) break;
            // Saturate: past U+10FFFF is refused however many digits follow (pugixml wraps).
            if (value <= 0x10FFFF) value = value * (hex ? 16 : 10) + static_cast<std::uint32_t>(d);
        }
        if (i == first || i == text.size() || text[i] != ';') continue; // left as literal text
        if (!is_xml_char(value)) return false;
    }
    return true;
}

// No XMPP element carries more than a couple of dozen attributes (the most in the fixtures: 14 on
// a BOSH session creation body; a Jingle <candidate/> has 13). The bound keeps namespace_of,
// which scans the attributes of each ancestor, linear in the body size. Depth needs no bound:
// the core only resolves nodes a few levels below the root.
constexpr std::size_t max_attributes = 64;

bool attributes_bounded(const pugi::xml_node& root) noexcept
{
    // Iterative pre-order walk: documents may be deeply nested.
    for (auto n = root; n;) {
        if (n.type() == pugi::node_element) {
            std::size_t count = 0;
            for (auto a = n.first_attribute(); a; a = a.next_attribute()) {
                if (++count > max_attributes) return false;
            }
        }
        if (auto c = n.first_child()) {
            n = c;
            continue;
        }
        while (n && n != root && !n.next_sibling()) n = n.parent();
        if (!n || n == root) break;
        n = n.next_sibling();
    }
    return true;
}

// parse_doctype keeps a DOCTYPE as a node so that it can be refused; pugixml never expands
// entities other than the five predefined ones and character references. Attribute values keep
// a literal tab or line break instead of turning it into a space (XML 1.0 §3.3.3): the values
// read are JIDs, nicks, types and numbers, none of which may hold one (RFC 7622 refuses control
// characters), and the check per character cost 4 % of the core's time.
constexpr unsigned parse_options =
    (pugi::parse_default & ~pugi::parse_wconv_attribute) | pugi::parse_doctype;

// What is checked before pugixml sees the text.
bool text_acceptable(std::string_view text, TextScan& scan) noexcept
{
    scan = scan_text(text);
    // char_refs_are_chars looks only at "&#": without an '&' it has nothing to refuse.
    return scan.nul_free_utf8 && (!scan.ampersand || char_refs_are_chars(text));
}

// What is checked of the tree pugixml made.
bool tree_acceptable(const pugi::xml_document& doc, const TextScan& scan) noexcept
{
    int elements = 0;
    for (const auto& node : doc.children()) {
        if (node.type() == pugi::node_doctype) return false;
        if (node.type() == pugi::node_element) ++elements;
    }
    if (elements != 1) return false;
    // Every attribute pugixml makes has consumed a '=' of the text of its own (name, optional
    // space, '=', quoted value; anything else fails the parse). No more '=' than the bound in
    // the whole text: no element can have more attributes, and the walk is not needed.
    return scan.equals <= max_attributes || attributes_bounded(doc.document_element());
}

} // namespace

bool parse(std::string_view text, pugi::xml_document& doc)
{
    TextScan scan;
    if (!text_acceptable(text, scan)) return false;
    const auto result = doc.load_buffer(text.data(), text.size(), parse_options,
                                        pugi::encoding_utf8);
    return result && tree_acceptable(doc, scan);
}

bool Document::parse(std::string_view text)
{
    root_ = {};
#if defined(__SSE2__)
    // The scan is the first pass over the body, which usually comes from another thread's
    // buffer: ask for all of its lines at once instead of one miss after another.
    for (std::size_t at = 0; at < std::min<std::size_t>(text.size(), 16 * 1024); at += 64)
        _mm_prefetch(text.data() + at, _MM_HINT_T0);
#endif
    TextScan scan;
    if (!text_acceptable(text, scan)) return false;
    // The buffer load_buffer would have made: the text and a NUL after it (pugixml parses
    // exactly these size + 1 bytes either way).
    const std::size_t size = text.size() + 1;
    if (size > capacity_) {
        capacity_ = (size + 1023) / 1024 * 1024; // some room for the next, slightly larger one
        text_ = std::make_unique_for_overwrite<char[]>(capacity_);
    }
    if (!text.empty()) std::memcpy(text_.get(), text.data(), text.size()); // data() may be null
    text_[text.size()] = '\0';
    const auto result =
        doc_.load_buffer_inplace(text_.get(), size, parse_options, pugi::encoding_utf8);
    if (!result || !tree_acceptable(doc_, scan)) return false;
    root_ = doc_.document_element();
    return true;
}

// A name is split at its first ':' (XML Namespaces §4 allows one). strchr and strlen, both
// vectorised, take fewer instructions than one byte-at-a-time walk over the name.
std::string_view local_name(const pugi::xml_node& node) noexcept
{
    const char* name = node.name();
    if (const char* colon = std::strchr(name, ':')) return colon + 1;
    return name;
}

std::string_view prefix(const pugi::xml_node& node) noexcept
{
    const char* name = node.name();
    const char* colon = std::strchr(name, ':');
    return colon ? std::string_view(name, static_cast<std::size_t>(colon - name))
                 : std::string_view{};
}

std::string_view namespace_of(const pugi::xml_node& node) noexcept
{
    const std::string_view p = prefix(node);
    if (p == "xml") return ns::xml;
    // Build "xmlns" or "xmlns:p" without allocating for the common short prefixes.
    char buf[64 + 1];
    const char* wanted = "xmlns";
    if (!p.empty()) {
        if (p.size() + 6 > 64) return {};
        std::string_view head = "xmlns:";
        head.copy(buf, head.size());
        p.copy(buf + head.size(), p.size());
        buf[head.size() + p.size()] = '\0';
        wanted = buf;
    }
    // pugixml's lookup takes the first attribute of that name, as a walk over them would;
    // strcmp stops at the end of the shorter name, so a huge attribute name costs nothing.
    for (auto n = node; n && n.type() == pugi::node_element; n = n.parent()) {
        if (const auto a = n.attribute(wanted)) return a.value();
    }
    return {};
}

std::string_view child_namespace(const pugi::xml_node& child, const pugi::xml_node& parent,
                                 std::string_view parent_ns) noexcept
{
    if (!prefix(child).empty() || !prefix(parent).empty()) return namespace_of(child);
    // Both unprefixed: the parent's namespace is the default in scope, unless the child
    // declares its own.
    if (const auto a = child.attribute("xmlns")) return a.value();
    return parent_ns;
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
