// tok/unicode.h: the Unicode character classes and normalizations tokenizers need.
//
// Classes follow the Unicode Character Database exactly (utf8proc's tables, Unicode 15):
//   letter     general category L* (Lu Ll Lt Lm Lo)         = regex \p{L}
//   number     general category N* (Nd Nl No)               = regex \p{N}
//   space      the White_Space property (PropList.txt)      = Rust/Python-regex \s
//              (U+0009-000D, 0020, 0085, 00A0, 1680, 2000-200A, 2028, 2029, 202F, 205F,
//              3000). U+001C-001F, U+200B (ZWSP) and U+FEFF (BOM) are NOT spaces here,
//              although Python's str.isspace() says the first four are: the regex engines
//              tiktoken and HF tokenizers use follow White_Space, and so do we.
// char_class() is one table lookup for the BMP and a utf8proc call above it.
//
// Normalizations (NFC, NFKC, NFD, lowercase, accent stripping) work on valid UTF-8 and
// return new strings; invalid input must be repaired first (core/utf8.h).
//
//   uint32_t cp; size_t n = lmk::utf8_decode(p, len, &cp);
//   if (lmk::tok::char_class(cp) & lmk::tok::kLetter) ...
//   std::string s = lmk::tok::nfkc("ｆｕｌｌ　ｗｉｄｔｈ");   // "full width"
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace lmk::tok {

enum CharClassBits : uint8_t {
    kLetter = 1,
    kNumber = 2,
    kSpace = 4,
    kMark = 8,        // general category M* (Mn Mc Me): accents, combining marks
    kPunct = 16,      // general category P* (BERT counts ASCII symbols too, see bert_punct)
    kControl = 32,    // general category Cc/Cf (BERT's "control" test adds Cf minus \t\n\r)
    kUpper = 64,      // with kLetter: Lu or Lt (o200k's split separates case runs)
    kLower = 128,     // with kLetter: Ll. Lm and Lo letters carry neither bit.
};

uint8_t char_class(uint32_t cp);
inline bool is_letter(uint32_t cp) { return char_class(cp) & kLetter; }
inline bool is_number(uint32_t cp) { return char_class(cp) & kNumber; }
inline bool is_space(uint32_t cp) { return char_class(cp) & kSpace; }

// BERT's classes (HF BertNormalizer / BertPreTokenizer, Google's tokenization.py):
// punctuation = P* or ASCII 33-47, 58-64, 91-96, 123-126; CJK = the ideograph blocks;
// BERT whitespace = ' ', \t, \n, \r or category Zs; BERT control = C* except \t\n\r.
bool bert_punct(uint32_t cp);
bool bert_cjk(uint32_t cp);
bool bert_whitespace(uint32_t cp);
bool bert_control(uint32_t cp);

std::string nfc(std::string_view s);
std::string nfd(std::string_view s);
std::string nfkc(std::string_view s);
std::string nfkd(std::string_view s);
// Simple (one-to-one) lowercase mapping per code point, as Rust's char::to_lowercase for
// all but a handful of special cases (U+0130 İ becomes "i̇", as in Rust).
std::string lowercase(std::string_view s);
// NFD, then drop nonspacing marks (Mn), as HF's StripAccents (which expects NFD input).
std::string strip_marks(std::string_view s);

} // namespace lmk::tok
