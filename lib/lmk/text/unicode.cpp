// text/unicode.cpp: see unicode.h. ASCII is handled inline; utf8proc answers the rest.
#include "lmk/text/unicode.h"

#include "lmk/core/utf8.h"

#include <cstdlib>
#include <cstring>
#include <utf8proc.h>

namespace lmk {

uint32_t next_codepoint_multibyte(std::string_view s, size_t& i) {
    // Two- and three-byte characters inline, with utf8_decode's validity rules (lead C2..DF
    // plus a continuation byte is always valid; E0..EF plus two must not be overlong or a
    // surrogate); the rest as utf8_decode says.
    auto u = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char c = u(i);
    if (c >= 0xC2 && c <= 0xDF && i + 1 < s.size() && (u(i + 1) & 0xC0) == 0x80) {
        uint32_t cp = (uint32_t(c & 0x1F) << 6) | (u(i + 1) & 0x3F);
        i += 2;
        return cp;
    }
    if ((c & 0xF0) == 0xE0 && i + 2 < s.size() && (u(i + 1) & 0xC0) == 0x80 && (u(i + 2) & 0xC0) == 0x80) {
        uint32_t cp = (uint32_t(c & 0x0F) << 12) | (uint32_t(u(i + 1) & 0x3F) << 6) | (u(i + 2) & 0x3F);
        if (cp >= 0x800 && (cp < 0xD800 || cp > 0xDFFF)) {
            i += 3;
            return cp;
        }
    }
    uint32_t cp;
    size_t n = utf8_decode(s.data() + i, s.size() - i, &cp);
    if (n == 0) {
        i++;
        return 0xFFFD;
    }
    i += n;
    return cp;
}

uint32_t prev_codepoint(std::string_view s, size_t& i) {
    size_t start = i - 1;
    // Step back over at most three continuation bytes to a lead byte.
    while (start > 0 && i - start < 4 && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80)
        start--;
    size_t j = start;
    uint32_t cp = next_codepoint(s, j);
    if (j != i) { // not one well-formed sequence ending at i: treat the last byte alone
        i = i - 1;
        return 0xFFFD;
    }
    i = start;
    return cp;
}

size_t char_count(std::string_view s) {
    // Valid UTF-8: one code point per non-continuation byte (10xxxxxx). Eight bytes at a time:
    // a byte is a continuation when its bit 7 is set and its bit 6 is clear.
    size_t n = s.size(), i = 0;
    const char* p = s.data();
    for (; i + 8 <= s.size(); i += 8) {
        uint64_t x;
        std::memcpy(&x, p + i, 8);
        uint64_t cont = (x & ~(x << 1) & 0x8080808080808080ull) >> 7; // 1 in each continuation byte
        n -= size_t((cont * 0x0101010101010101ull) >> 56);              // sum of the eight bytes
    }
    for (; i < s.size(); i++) n -= (static_cast<unsigned char>(p[i]) & 0xC0) == 0x80;
    return n;
}

bool py_isspace_nonascii(uint32_t cp) {
    switch (cp) {
    case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029: case 0x202F: case 0x205F:
    case 0x3000:
        return true;
    default:
        return cp >= 0x2000 && cp <= 0x200A;
    }
}

static utf8proc_category_t category(uint32_t cp) {
    return utf8proc_category(static_cast<utf8proc_int32_t>(cp));
}

bool py_isalpha(uint32_t cp) {
    if (cp < 0x80) return (cp | 0x20) >= 'a' && (cp | 0x20) <= 'z';
    auto c = category(cp);
    return c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO;
}

bool py_isword(uint32_t cp) {
    if (cp < 0x80) return cp == '_' || (cp >= '0' && cp <= '9') || ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z');
    auto c = category(cp);
    return (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO) ||
           (c >= UTF8PROC_CATEGORY_ND && c <= UTF8PROC_CATEGORY_NO);
}

bool py_isdecimal(uint32_t cp) {
    if (cp < 0x80) return cp >= '0' && cp <= '9';
    return category(cp) == UTF8PROC_CATEGORY_ND;
}

bool is_control(uint32_t cp) {
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
}

std::string_view py_lstrip(std::string_view s) {
    size_t i = 0;
    while (i < s.size()) {
        size_t j = i;
        if (!py_isspace(next_codepoint(s, j))) break;
        i = j;
    }
    return s.substr(i);
}

std::string_view py_rstrip(std::string_view s) {
    size_t i = s.size();
    while (i > 0) {
        size_t j = i;
        if (!py_isspace(prev_codepoint(s, j))) break;
        i = j;
    }
    return s.substr(0, i);
}

std::string_view py_strip(std::string_view s) { return py_rstrip(py_lstrip(s)); }

std::vector<std::string_view> py_split(std::string_view s) {
    std::vector<std::string_view> out;
    py_split_each(s, [&](std::string_view w) { out.push_back(w); });
    return out;
}

size_t py_split_count(std::string_view s) {
    size_t n = 0;
    py_split_each(s, [&](std::string_view) { n++; });
    return n;
}

std::vector<std::string_view> py_splitlines(std::string_view s) {
    // Bytes that may begin a line break: the ASCII ones, C2 (U+0085) and E2 (U+2028/9).
    static constexpr auto maybe_break = [] {
        struct Table {
            bool v[256];
        } t{};
        for (int c = 0; c < 256; c++)
            t.v[c] = c == '\n' || c == '\r' || c == 0x0B || c == 0x0C || (c >= 0x1C && c <= 0x1E) || c == 0xC2 || c == 0xE2;
        return t;
    }();
    std::vector<std::string_view> out;
    size_t i = 0, start = 0;
    while (i < s.size()) {
        while (i < s.size() && !maybe_break.v[static_cast<unsigned char>(s[i])]) i++;
        if (i >= s.size()) break;
        unsigned char c = static_cast<unsigned char>(s[i]);
        size_t brk = 0; // length of the line break at i, 0 if none
        if (c == '\n' || c == 0x0B || c == 0x0C || (c >= 0x1C && c <= 0x1E)) brk = 1;
        else if (c == '\r') brk = (i + 1 < s.size() && s[i + 1] == '\n') ? 2 : 1;
        else if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x85) brk = 2;
        else if (c == 0xE2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
                 (static_cast<unsigned char>(s[i + 2]) == 0xA8 || static_cast<unsigned char>(s[i + 2]) == 0xA9))
            brk = 3;
        if (brk) {
            out.push_back(s.substr(start, i - start));
            i += brk;
            start = i;
        } else {
            i++;
        }
    }
    if (start < s.size()) out.push_back(s.substr(start));
    return out;
}

std::string to_lower(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    size_t i = 0;
    while (i < s.size()) {
        if (static_cast<unsigned char>(s[i]) < 0x80) { // an ASCII run: copied, then A-Z lowered in place
            size_t j = i + 1;
            while (j < s.size() && static_cast<unsigned char>(s[j]) < 0x80) j++;
            size_t o = out.size();
            out.append(s, i, j - i);
            for (char* p = out.data() + o; p != out.data() + out.size(); p++)
                if (*p >= 'A' && *p <= 'Z') *p = char(*p + 32);
            i = j;
            continue;
        }
        uint32_t cp = next_codepoint(s, i);
        utf8_append(out, static_cast<uint32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(cp))));
    }
    return out;
}

// Code points that are NFC whatever surrounds them (Unicode's NFC_Quick_Check = Yes, plus
// combining class 0): utf8proc's decompose-reorder-recompose leaves them as they are, since
//  - they have no canonical decomposition (a compatibility-only one is not applied by NFC), or
//    are one of the precomposed Latin/Greek/Cyrillic letters below U+0300 or a Hangul syllable,
//    which NFC recomposes to themselves;
//  - their combining class is 0, so reordering never moves them;
//  - they are never the second character of a composition: utf8proc marks such characters
//    with comb_index >= 0x8000 (its encoding for "second"), and composes the conjoining
//    Hangul jamo algorithmically, so those blocks are excluded by range.
// Text made only of these (and ASCII) is already NFC, which spares utf8proc's map on most
// pages. The table covers the BMP (one bit per code point, built once); beyond it the same
// test runs on the property directly.
static bool nfc_inert_slow(uint32_t cp) {
    if (cp < 0x300) return true;
    if ((cp >= 0x1100 && cp <= 0x11FF) || (cp >= 0xA960 && cp <= 0xA97F) || (cp >= 0xD7B0 && cp <= 0xD7FF))
        return false; // conjoining jamo
    if (cp >= 0xAC00 && cp <= 0xD7A3) return true; // Hangul syllables
    const utf8proc_property_t* p = utf8proc_get_property(static_cast<utf8proc_int32_t>(cp));
    if (p->combining_class != 0) return false;
    if (p->comb_index != UINT16_MAX && p->comb_index >= 0x8000) return false;
    if (p->comp_exclusion) return false;
    return p->decomp_seqindex == UINT16_MAX || p->decomp_type != 0;
}

static bool nfc_inert(uint32_t cp) {
    static const std::vector<uint64_t> bmp = [] {
        std::vector<uint64_t> bits(0x10000 / 64, 0);
        for (uint32_t c = 0; c < 0x10000; c++)
            if (nfc_inert_slow(c)) bits[c >> 6] |= uint64_t(1) << (c & 63);
        return bits;
    }();
    if (cp < 0x10000) return (bmp[cp >> 6] >> (cp & 63)) & 1;
    return nfc_inert_slow(cp);
}

bool is_nfc_inert(uint32_t cp) { return nfc_inert(cp); }

// NFC of s into *out, or false (and *out untouched) when s is already NFC by the quick check.
// Only the stretches around code points that are not inert go through utf8proc: a boundary
// lies before every inert code point (combining class 0, never composes with what precedes
// it, no decomposition other than into such a starter plus marks), so NFC of the whole text
// is NFC of the pieces between such boundaries, and pieces made only of inert code points are
// NFC already. Each stretch runs from the last inert code point before a non-inert one to the
// next inert code point after it.
static bool nfc_into(std::string_view s, std::string* out) {
    const unsigned char* p = reinterpret_cast<const unsigned char*>(s.data());
    size_t n = s.size(), i = 0;
    size_t last_inert = 0; // start of the last inert code point seen (a boundary)
    size_t copied = 0;     // s[0, copied) is already in *out
    bool changed = false;
    while (i < n) {
        // ASCII is inert: skip it eight bytes at a time where possible.
        if (p[i] < 0x80) {
            size_t j = i + 1;
            while (j + 8 <= n) {
                uint64_t x;
                std::memcpy(&x, p + j, 8);
                if (x & 0x8080808080808080ull) break;
                j += 8;
            }
            while (j < n && p[j] < 0x80) j++;
            last_inert = j - 1;
            i = j;
            continue;
        }
        size_t start = i;
        if (nfc_inert(next_codepoint(s, i))) {
            last_inert = start;
            continue;
        }
        // A stretch that NFC may change: up to the next inert code point.
        size_t end = i;
        while (end < n) {
            size_t k = end;
            if (nfc_inert(next_codepoint(s, k))) break;
            end = k;
        }
        if (!changed) out->clear(), out->reserve(n + n / 8), changed = true;
        out->append(s, copied, last_inert - copied);
        utf8proc_uint8_t* mapped = nullptr;
        utf8proc_ssize_t m = utf8proc_map(p + last_inert, static_cast<utf8proc_ssize_t>(end - last_inert), &mapped,
                                          static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
        if (m < 0) out->append(s, last_inert, end - last_inert); // invalid UTF-8 cannot reach here
        else out->append(reinterpret_cast<char*>(mapped), static_cast<size_t>(m));
        std::free(mapped);
        copied = end;
        last_inert = end; // the code point at `end` (if any) is inert
        i = end;
    }
    if (changed) out->append(s, copied, n - copied);
    return changed;
}

std::string nfc_normalize(std::string_view s) {
    std::string out;
    return nfc_into(s, &out) ? out : std::string(s);
}

// Bytes that are text to normalize_text whatever surrounds them: printable ASCII other than
// space, and every byte of a non-ASCII character that is neither a line break, a space nor a
// control character. Those characters (U+0080..U+00A0, U+1680, U+2000..U+205F, U+3000) all
// start with C2, E1, E2 or E3, bytes that never occur inside another character's encoding,
// so a byte-wise test cannot be fooled by where characters begin.
static constexpr auto kTextByte = [] {
    struct Table {
        bool v[256];
    } t{};
    for (int c = 0; c < 256; c++)
        t.v[c] = (c > 0x20 && c < 0x7F) || (c >= 0x80 && c != 0xC2 && c != 0xE1 && c != 0xE2 && c != 0xE3);
    return t;
}();

std::string normalize_text(std::string_view in) {
    std::string nfc;
    std::string_view s = nfc_into(in, &nfc) ? std::string_view(nfc) : in;
    std::string out;
    out.reserve(s.size());
    size_t pending_breaks = 0; // line breaks seen since the last text
    bool pending_space = false, at_line_start = true, any_text = false;
    // Appends s[i, j) as text, preceded by the break or space that pending state asks for.
    auto emit_text = [&](size_t i, size_t j) {
        if (any_text && pending_breaks) out.append(pending_breaks >= 2 ? "\n\n" : "\n");
        else if (pending_space) out.push_back(' ');
        pending_breaks = 0;
        pending_space = false;
        at_line_start = false;
        any_text = true;
        out.append(s, i, j - i);
    };
    auto text_byte = [&](size_t k) { return kTextByte.v[static_cast<unsigned char>(s[k])]; };
    size_t i = 0;
    while (i < s.size()) {
        // Fast path: a run of text bytes, single spaces between them included (a lone space
        // between text is kept as it is), is appended whole.
        if (text_byte(i)) {
            size_t j = i + 1;
            while (j < s.size()) {
                if (text_byte(j)) j++;
                else if (s[j] == ' ' && j + 1 < s.size() && text_byte(j + 1)) j += 2;
                else break;
            }
            emit_text(i, j);
            i = j;
            continue;
        }
        size_t j = i;
        uint32_t cp = next_codepoint(s, j);
        bool brk = cp == '\n' || cp == '\r' || cp == 0x0B || cp == 0x0C || cp == 0x85 || cp == 0x2028 ||
                   cp == 0x2029 || (cp >= 0x1C && cp <= 0x1E);
        if (cp == '\r' && j < s.size() && s[j] == '\n') j++; // CR LF is one break
        if (brk) {
            pending_breaks++;
            pending_space = false;
            at_line_start = true;
        } else if (cp == '\t' || (cp != 0x1F && py_isspace(cp))) {
            if (!at_line_start) pending_space = true;
        } else if (is_control(cp) || cp == 0x1F) {
            // dropped
        } else {
            emit_text(i, j);
        }
        i = j;
    }
    return out;
}

} // namespace lmk
