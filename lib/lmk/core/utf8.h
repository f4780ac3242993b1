// core/utf8.h: byte-level UTF-8 decoding, validation and repair.
//
// Valid means RFC 3629: shortest form, no surrogates (U+D800..DFFF), at most U+10FFFF.
// repair_utf8 replaces each maximal invalid subsequence with U+FFFD, following the W3C/Unicode
// "substitution of maximal subparts" practice (the same count HF tokenizers and Python's
// errors="replace" produce), and reports how many replacements it made.
//
//   size_t bad = 0;
//   std::string clean = lmk::repair_utf8(raw, &bad);
//   uint32_t cp; size_t n = lmk::utf8_decode(p, end - p, &cp);   // n = 0: invalid
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace lmk {

// Decodes one code point at s (len > 0 bytes available). Returns its length 1..4, or 0 if
// the bytes at s do not start a valid sequence.
size_t utf8_decode(const char* s, size_t len, uint32_t* cp);
// Length of the maximal invalid subpart at s (>= 1), for repair and error messages.
size_t utf8_invalid_length(const char* s, size_t len);
// Offset of the first invalid byte, or s.size() when s is valid.
size_t utf8_first_invalid(std::string_view s);
inline bool utf8_valid(std::string_view s) { return utf8_first_invalid(s) == s.size(); }
// Appends cp (<= 0x10FFFF, not a surrogate) as UTF-8.
void utf8_append(std::string& out, uint32_t cp);
// Copy of s with invalid parts replaced by U+FFFD; *replaced (if given) += their count.
std::string repair_utf8(std::string_view s, size_t* replaced = nullptr);

} // namespace lmk
