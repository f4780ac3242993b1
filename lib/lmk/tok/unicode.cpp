// tok/unicode.cpp: character classes from utf8proc, cached for the BMP.
#include "lmk/tok/unicode.h"

#include "lmk/core/error.h"
#include "lmk/core/utf8.h"
#include "lmk/text/unicode.h"

#include <array>
#include <cstdlib>
#include <memory>
#include <utf8proc.h>

namespace lmk::tok {
namespace {

bool white_space_property(uint32_t cp) {
    // PropList.txt, White_Space (stable since Unicode 6.3, when U+180E left it).
    return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
           (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F ||
           cp == 0x205F || cp == 0x3000;
}

uint8_t compute_class(uint32_t cp) {
    uint8_t c = 0;
    if (white_space_property(cp)) c |= kSpace;
    switch (utf8proc_category(utf8proc_int32_t(cp))) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LT:
        c |= kLetter | kUpper; break;
    case UTF8PROC_CATEGORY_LL:
        c |= kLetter | kLower; break;
    case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO:
        c |= kLetter; break;
    case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
        c |= kNumber; break;
    case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
        c |= kMark; break;
    case UTF8PROC_CATEGORY_PC: case UTF8PROC_CATEGORY_PD: case UTF8PROC_CATEGORY_PS:
    case UTF8PROC_CATEGORY_PE: case UTF8PROC_CATEGORY_PI: case UTF8PROC_CATEGORY_PF:
    case UTF8PROC_CATEGORY_PO:
        c |= kPunct; break;
    case UTF8PROC_CATEGORY_CC: case UTF8PROC_CATEGORY_CF:
        c |= kControl; break;
    default: break;
    }
    return c;
}

// One byte per BMP code point: built once (64 KB), so the hot pre-tokenizer loop does one load.
const std::array<uint8_t, 0x10000>& bmp_table() {
    static const auto table = [] {
        auto t = std::make_unique<std::array<uint8_t, 0x10000>>();
        for (uint32_t cp = 0; cp < 0x10000; cp++) (*t)[cp] = compute_class(cp);
        return t;
    }();
    return *table;
}

std::string map_utf8(std::string_view s, int options) {
    if (s.empty()) return {};
    utf8proc_uint8_t* out = nullptr;
    utf8proc_ssize_t n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(s.data()),
                                      utf8proc_ssize_t(s.size()), &out, utf8proc_option_t(options));
    if (n < 0) fail("unicode normalization failed: {}", utf8proc_errmsg(n));
    std::string r(reinterpret_cast<char*>(out), size_t(n));
    std::free(out);
    return r;
}

} // namespace

uint8_t char_class(uint32_t cp) {
    static const auto& t = bmp_table();
    return cp < 0x10000 ? t[cp] : compute_class(cp);
}

bool bert_punct(uint32_t cp) {
    if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) ||
        (cp >= 123 && cp <= 126))
        return true;
    return char_class(cp) & kPunct;
}

bool bert_cjk(uint32_t cp) {
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0x20000 && cp <= 0x2A6DF) || (cp >= 0x2A700 && cp <= 0x2B73F) ||
           (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B920 && cp <= 0x2CEAF) ||
           (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
}

bool bert_whitespace(uint32_t cp) {
    if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r') return true;
    return utf8proc_category(utf8proc_int32_t(cp)) == UTF8PROC_CATEGORY_ZS;
}

bool bert_control(uint32_t cp) {
    if (cp == '\t' || cp == '\n' || cp == '\r') return false;
    switch (utf8proc_category(utf8proc_int32_t(cp))) {
    case UTF8PROC_CATEGORY_CC: case UTF8PROC_CATEGORY_CF: case UTF8PROC_CATEGORY_CN:
    case UTF8PROC_CATEGORY_CO: case UTF8PROC_CATEGORY_CS:
        return true;
    default:
        return false;
    }
}

// NFC is text's (one implementation, with its fast path past NFC-inert stretches).
std::string nfc(std::string_view s) { return lmk::nfc_normalize(s); }
std::string nfd(std::string_view s) { return map_utf8(s, UTF8PROC_STABLE | UTF8PROC_DECOMPOSE); }
std::string nfkc(std::string_view s) {
    return map_utf8(s, UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT);
}
std::string nfkd(std::string_view s) {
    return map_utf8(s, UTF8PROC_STABLE | UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT);
}

std::string lowercase(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size();) {
        uint32_t cp;
        size_t n = utf8_decode(s.data() + i, s.size() - i, &cp);
        if (n == 0) { out.push_back(s[i]); i++; continue; } // invalid bytes pass through
        if (cp < 0x80) out.push_back(char(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp));
        else if (cp == 0x130) { out += "i\xCC\x87"; }       // SpecialCasing: İ -> i + U+0307
        else utf8_append(out, uint32_t(utf8proc_tolower(utf8proc_int32_t(cp))));
        i += n;
    }
    return out;
}

std::string strip_marks(std::string_view s) {
    std::string d = nfd(s), out;
    out.reserve(d.size());
    for (size_t i = 0; i < d.size();) {
        uint32_t cp;
        size_t n = utf8_decode(d.data() + i, d.size() - i, &cp);
        if (n == 0) { out.push_back(d[i]); i++; continue; }
        if (utf8proc_category(utf8proc_int32_t(cp)) != UTF8PROC_CATEGORY_MN) out.append(d, i, n);
        i += n;
    }
    return out;
}

} // namespace lmk::tok
