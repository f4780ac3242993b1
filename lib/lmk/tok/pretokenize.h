// tok/pretokenize.h: splitting text into pieces before the subword model runs.
//
// Every splitter appends Spans (byte offset + length into the input) and never copies text:
// the pieces tile the input in order (concatenating them gives the input back), except the
// BERT/whitespace splitters, which drop the whitespace between pieces.
//
// gpt2_split is GPT-2's (and tiktoken r50k/p50k's) regular expression
//     's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
// written as a hand-made scanner over code points (tok/unicode.h classes: \s = White_Space).
// Each alternative is a maximal run of one class, so the scan is linear in the input and
// never backtracks; the look-ahead `\s+(?!\S)` only ever gives back the last whitespace
// character of a run that is followed by a non-space. Bytes that are not valid UTF-8 count
// as one "other" character each, so invalid input still splits into pieces that tile it.
//
// cl100k_split is tiktoken's cl100k_base rule (also Llama 3's tokenizer.json Split pattern)
//     (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|
//     \s*[\r\n]+|\s+(?!\S)|\s+
// and o200k_split tiktoken's o200k_base rule, whose letter runs are split by case:
//     [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|
//     [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|
//     \p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+
// Both follow the regex engines' leftmost-first semantics (the first alternative that matches
// wins, each quantifier as greedy as the rest of its alternative allows), worked out once per
// alternative so that the scan stays linear: every failed attempt is paid for by the run the
// next alternative consumes.
//
// GPT-2's byte-to-unicode map (bytes_to_unicode in openai/gpt-2 encoder.py) is byte_char():
// printable Latin-1 bytes map to themselves, the other 68 to U+0100.. in byte order.
//
//   std::vector<lmk::tok::Span> pieces;
//   lmk::tok::gpt2_split("Hello world's", pieces);   // "Hello" " world" "'s"
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lmk::tok {

struct Span {
    uint32_t begin, len;
};

void gpt2_split(std::string_view text, std::vector<Span>& out);
void cl100k_split(std::string_view text, std::vector<Span>& out);
void o200k_split(std::string_view text, std::vector<Span>& out);

// The byte-level splitting rules above, by name, for tokenizer files that choose one.
enum class SplitRule : uint8_t { gpt2, cl100k, o200k };
void split_with(SplitRule rule, std::string_view text, std::vector<Span>& out);
// The regular expression a rule implements, as tokenizer.json's Split step spells it.
std::string_view split_rule_pattern(SplitRule rule);
// The rule a Split pattern names: the spellings above and tiktoken's own (possessive)
// spellings of the same expressions; nullopt for any other pattern.
std::optional<SplitRule> split_rule_from_pattern(std::string_view pattern);

// BERT: split on BERT whitespace (dropped), each BERT punctuation character alone.
void bert_split(std::string_view text, std::vector<Span>& out);
// HF "Whitespace": runs of \w (letters, numbers, marks, '_') or of other non-space chars.
void whitespace_split(std::string_view text, std::vector<Span>& out);
// HF "WhitespaceSplit": runs of non-White_Space characters.
void whitespace_only_split(std::string_view text, std::vector<Span>& out);
// Split before every occurrence of `marker` (Metaspace, MergedWithNext): "▁a▁b" -> "▁a" "▁b".
void split_before(std::string_view text, std::string_view marker, std::vector<Span>& out);

// GPT-2's byte <-> char map. byte_char(b) is the code point standing for byte b.
uint32_t byte_char(uint8_t b);
// Inverse: the byte a code point stands for, or -1 if it stands for none.
int char_byte(uint32_t cp);
// Maps a vocabulary string written in byte_char form back to raw bytes; false if some
// character is not one of the 256.
bool decode_byte_chars(std::string_view s, std::string& out);
std::string encode_byte_chars(std::string_view bytes);

} // namespace lmk::tok
