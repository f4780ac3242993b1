// text/unicode.cpp: see unicode.h. ASCII is handled inline; utf8proc answers the rest.
#include "lmk/text/unicode.h"

#include "lmk/core/utf8.h"

#include <cstdlib>
#include <utf8proc.h>

namespace lmk {

uint32_t next_codepoint(std::string_view s, size_t& i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
        i++;
        return c;
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
    // Valid UTF-8: one code point per non-continuation byte.
    size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
}

bool py_isspace(uint32_t cp) {
    if (cp < 0x80) return (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x20);
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

template <typename F> static void for_each_split(std::string_view s, F&& f) {
    size_t i = 0, start = std::string_view::npos;
    while (i < s.size()) {
        size_t j = i;
        uint32_t cp = next_codepoint(s, j);
        if (py_isspace(cp)) {
            if (start != std::string_view::npos) f(s.substr(start, i - start));
            start = std::string_view::npos;
        } else if (start == std::string_view::npos) {
            start = i;
        }
        i = j;
    }
    if (start != std::string_view::npos) f(s.substr(start));
}

std::vector<std::string_view> py_split(std::string_view s) {
    std::vector<std::string_view> out;
    for_each_split(s, [&](std::string_view w) { out.push_back(w); });
    return out;
}

size_t py_split_count(std::string_view s) {
    size_t n = 0;
    for_each_split(s, [&](std::string_view) { n++; });
    return n;
}

std::vector<std::string_view> py_splitlines(std::string_view s) {
    std::vector<std::string_view> out;
    size_t i = 0, start = 0;
    while (i < s.size()) {
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
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            out.push_back(c >= 'A' && c <= 'Z' ? char(c + 32) : char(c));
            i++;
            continue;
        }
        uint32_t cp = next_codepoint(s, i);
        utf8_append(out, static_cast<uint32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(cp))));
    }
    return out;
}

// Code points that are NFC whatever surrounds them: no canonical decomposition that NFC would
// change, combining class 0, and nothing composes with them as a second character. Text made
// only of these is already NFC, which spares utf8proc's decompose-recompose on most pages.
static bool nfc_inert(uint32_t cp) {
    return cp < 0x300 || (cp >= 0x2010 && cp <= 0x2027) || (cp >= 0x4E00 && cp <= 0x9FFF) ||
           (cp >= 0xFF01 && cp <= 0xFF5E);
}

std::string nfc_normalize(std::string_view s) {
    bool inert = true;
    size_t i = 0;
    while (i < s.size()) {
        if (static_cast<unsigned char>(s[i]) < 0x80) {
            i++;
            continue;
        }
        if (!nfc_inert(next_codepoint(s, i))) {
            inert = false;
            break;
        }
    }
    if (inert) return std::string(s);
    utf8proc_uint8_t* out = nullptr;
    utf8proc_ssize_t n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(s.data()),
                                      static_cast<utf8proc_ssize_t>(s.size()), &out,
                                      static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
    if (n < 0) return std::string(s); // invalid UTF-8 cannot reach here; keep the text as is
    std::string r(reinterpret_cast<char*>(out), static_cast<size_t>(n));
    std::free(out);
    return r;
}

std::string normalize_text(std::string_view in) {
    std::string s = nfc_normalize(in);
    std::string out;
    out.reserve(s.size());
    size_t pending_breaks = 0; // line breaks seen since the last text
    bool pending_space = false, at_line_start = true, any_text = false;
    size_t i = 0;
    while (i < s.size()) {
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
            if (any_text && pending_breaks) out.append(pending_breaks >= 2 ? "\n\n" : "\n");
            else if (pending_space) out.push_back(' ');
            pending_breaks = 0;
            pending_space = false;
            at_line_start = false;
            any_text = true;
            out.append(s, i, j - i);
        }
        i = j;
    }
    return out;
}

} // namespace lmk
