// text/tokenize.h: words and sentences, as the quality filters count them.
//
// The reference filters count words with NLTK's word_tokenize (datatrove's English
// split_into_words) and sentences with NLTK's Punkt (TFDS C4). Both are approximated here by
// deterministic rules, documented in docs/TOOLS.md ("clean-corpus: words and sentences"):
//
// word_tokenize(text): Penn-Treebank-style splitting. Text is split on whitespace, then each
//   piece is cut further:  ? ! ; @ # $ % & ( ) [ ] { } < > " and the curly quotes are tokens of
//   their own; "..." (and U+2026) is one token; "--" is one token; , and : are cut off unless a
//   digit follows (1,000 and 10:30 stay whole); a final "." is cut off unless the word is an
//   abbreviation (see below); the English clitics 's 'm 'd 're 've 'll n't and a trailing
//   apostrophe are cut off.
// sentence_count(line): Punkt-style. A sentence ends after a run of . ? ! (plus closing quotes
//   and brackets) that is followed by whitespace and more text, except after an abbreviation:
//   a single letter ("J."), a word containing another period ("e.g.", "U.S."), a number
//   ("3." as in an ordinal or list), or one of a fixed list of common English abbreviations
//   (Mr Mrs Ms Dr Prof Sr Jr St vs etc Inc Ltd Co Corp No Vol Fig Jan ... Dec, case-insensitive).
//   A non-blank line always holds at least one sentence (Punkt returns the whole text as one).
//
// is_punctuation(cp) is datatrove's PUNCTUATION_SET (its PUNCTUATION string, control
// characters included, plus TERMINAL_PUNCTUATION); is_terminal_punctuation(cp) is
// TERMINAL_PUNCTUATION alone (FineWeb's default stop characters).
//
//   auto words = lmk::word_tokenize("Don't stop, J. Smith said.");
//   // {"Do", "n't", "stop", ",", "J.", "Smith", "said", "."}
//   size_t n = lmk::sentence_count("It works. Mr. Smith agrees! Fine");   // 3
#pragma once
#include <cstdint>
#include <string_view>
#include <vector>

namespace lmk {

std::vector<std::string_view> word_tokenize(std::string_view text);
size_t sentence_count(std::string_view text);

bool is_punctuation(uint32_t cp);
bool is_terminal_punctuation(uint32_t cp);
// True when every code point of w is punctuation (an empty word counts as all-punctuation).
bool all_punctuation(std::string_view w);
// True when `word` (without its final period) reads as an abbreviation (rules above).
bool is_abbreviation(std::string_view word);

} // namespace lmk
