// text/unicode.h: the Unicode primitives the quality filters are defined with.
//
// The published filters (TFDS c4_utils.py, datatrove) are Python, so their rules are written in
// terms of Python str methods. These helpers reproduce those methods exactly on UTF-8 so the
// thresholds mean the same thing here:
//   - lengths are in code points (Python len), never bytes: char_count();
//   - py_isspace() is str.isspace (bidi class WS/B/S or category Zs), which str.split(),
//     str.strip() and friends use; py_splitlines() splits where str.splitlines() does
//     (\n \r \r\n \v \f \x1c \x1d \x1e \x85 U+2028 U+2029);
//   - py_isalpha() is str.isalpha (categories L*); py_isword() is the `\w` of Python's re
//     (str.isalnum or '_': categories L* and N*); py_isdecimal() is `\d` (category Nd);
//   - to_lower() is per-code-point simple lowercase (utf8proc). Python's str.lower() also
//     applies the few one-to-many mappings (U+0130 -> "i\u0307"); that one difference is
//     irrelevant to every rule here, which looks for ASCII phrases.
// Input must be valid UTF-8 (the readers repair it before any filter runs); an invalid byte
// is treated as one code point U+FFFD so nothing here can loop or read out of bounds.
//
//   auto lines = lmk::py_splitlines(text);
//   for (auto line : lines) if (lmk::char_count(lmk::py_strip(line)) > 1000) ...
//   std::string nfc = lmk::nfc_normalize("e\u0301");   // "\u00e9"
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lmk {

// Decodes the code point at s[i] and advances i (invalid byte: U+FFFD, i += 1). ASCII is
// decoded inline (the common case in every loop below); the rest goes out of line.
uint32_t next_codepoint_multibyte(std::string_view s, size_t& i);
inline uint32_t next_codepoint(std::string_view s, size_t& i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
        i++;
        return c;
    }
    return next_codepoint_multibyte(s, i);
}
// The code point that ends just before byte position i (i > 0); moves i to its start.
uint32_t prev_codepoint(std::string_view s, size_t& i);

size_t char_count(std::string_view s); // code points (Python len)

bool py_isspace_nonascii(uint32_t cp);
inline bool py_isspace(uint32_t cp) {
    if (cp < 0x80) return (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x20);
    return py_isspace_nonascii(cp);
}
bool py_isalpha(uint32_t cp);
bool py_isword(uint32_t cp);    // re `\w`
bool py_isdecimal(uint32_t cp); // re `\d`
bool is_control(uint32_t cp);   // category Cc

std::string_view py_strip(std::string_view s);
std::string_view py_lstrip(std::string_view s);
std::string_view py_rstrip(std::string_view s);
// str.split() with no argument: runs of whitespace separate, no empty items.
std::vector<std::string_view> py_split(std::string_view s);
// The same items, handed to f(std::string_view) one by one instead of collected.
//
// Bytes are classified without decoding where that cannot change the answer: every Python
// whitespace character is ASCII or starts with byte C2, E1, E2 or E3 (U+0085, U+00A0, U+1680,
// U+2000..U+205F, U+3000), and those bytes never occur inside another character's encoding,
// so any other byte (a lead byte or continuation byte) belongs to a non-space character.
namespace detail {
// 0: part of a non-space character; 1: ASCII whitespace; 2: may start a non-ASCII space (decode).
inline constexpr auto kSplitClass = [] {
    struct Table {
        unsigned char v[256];
    } t{};
    for (int c = 0; c < 256; c++)
        t.v[c] = ((c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20)) ? 1
                 : (c == 0xC2 || c == 0xE1 || c == 0xE2 || c == 0xE3) ? 2
                                                                      : 0;
    return t;
}();
} // namespace detail
template <typename F> void py_split_each(std::string_view s, F&& f) {
    size_t i = 0, n = s.size();
    auto cls = [&](size_t k) { return detail::kSplitClass.v[static_cast<unsigned char>(s[k])]; };
    while (true) {
        while (i < n) { // whitespace
            unsigned char c = cls(i);
            if (c == 0) break;
            size_t j = i + 1;
            if (c == 2 && (j = i, !py_isspace(next_codepoint(s, j)))) break;
            i = j;
        }
        if (i >= n) return;
        size_t start = i;
        while (i < n) { // an item
            unsigned char c = cls(i);
            if (c == 0) {
                i++;
                continue;
            }
            if (c == 1) break;
            size_t j = i;
            if (py_isspace(next_codepoint(s, j))) break;
            i = j;
        }
        f(s.substr(start, i - start));
    }
}
size_t py_split_count(std::string_view s);
// str.splitlines() (line breaks not kept; a final line break does not add an empty line).
std::vector<std::string_view> py_splitlines(std::string_view s);

std::string to_lower(std::string_view s);
std::string nfc_normalize(std::string_view s);
// True when cp is NFC in any context (NFC_Quick_Check Yes and combining class 0; see
// unicode.cpp): nfc_normalize returns text made only of such code points unchanged, without
// calling utf8proc.
bool is_nfc_inert(uint32_t cp);

// Text normalization for the `normalize` step (documented in docs/TOOLS.md, clean-corpus):
// NFC; CR LF, CR and the other line separators become LF; control characters other than
// TAB and LF are removed; runs of horizontal whitespace (TAB and Zs) become one space; spaces
// at the start and end of each line are removed; three or more consecutive line breaks
// become two (one blank line); leading and trailing blank lines are removed.
std::string normalize_text(std::string_view s);

} // namespace lmk
