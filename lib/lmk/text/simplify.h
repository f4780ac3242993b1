// text/simplify.h: datatrove-style text simplification, the key that near-duplicate and
// exact-duplicate detection compare instead of the raw text.
//
// simplify_text() maps a UTF-8 string, one code point at a time, so that texts differing only
// in case, accents, numbers, punctuation or spacing map to the same string:
//   - lowercase: simple per-code-point lowercase (utf8proc_tolower);
//   - accents: canonical decomposition (NFD), nonspacing marks (category Mn) dropped, so
//     "Café" -> "cafe"; spacing marks (Mc, e.g. Indic vowel signs) are kept, because dropping
//     them would destroy those scripts. Hangul syllables are left composed (they have no marks);
//   - digits: each maximal run of decimal digits (category Nd, any script) becomes one "0",
//     as datatrove's `\d+ -> 0` does ("in 2023, 17 of" -> "in 0 0 of");
//   - punctuation: categories P* and S* (punctuation and symbols: "!", "$", "+", "©", "►") and
//     control characters become a space. datatrove deletes punctuation instead; a space keeps
//     "end.Start" and "a/b" as two words, which matters for word n-grams;
//   - whitespace: every run of Unicode whitespace (Python's str.isspace set) becomes one
//     space, with none at either end.
// Each step can be switched off (SimplifyOptions). The result is deterministic, depends on
// nothing but the input and the options, and is itself a fixed point (simplify(simplify(x))
// == simplify(x) with all steps on). Invalid UTF-8 bytes count as U+FFFD (a symbol: a space).
//
//   lmk::simplify_text("  Hello, WORLD!  Café 2023 ")  == "hello world cafe 0"
//   std::string buf; lmk::simplify_text_into(text, buf);   // reuses buf's capacity
#pragma once
#include <string>
#include <string_view>

namespace lmk {

struct SimplifyOptions {
    bool lowercase = true;
    bool strip_accents = true;
    bool digits_to_zero = true;
    bool punctuation_to_space = true;
    bool collapse_whitespace = true; // also trims both ends
};

std::string simplify_text(std::string_view text, const SimplifyOptions& opts = {});
// Same, writing into out (cleared first); lets hot loops reuse one buffer.
void simplify_text_into(std::string_view text, std::string& out, const SimplifyOptions& opts = {});

// Parses a comma list of steps: "lower,accents,digits,punct,space", "all" or "none".
// Throws lmk::Error naming the bad item.
SimplifyOptions parse_simplify_steps(std::string_view list);

} // namespace lmk
