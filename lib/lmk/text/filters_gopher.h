// text/filters_gopher.h: Gopher's quality and repetition rules (Rae et al. 2021, §A.1.1 and
// Table A1) with datatrove's definitions (GopherQualityFilter, GopherRepetitionFilter at
// huggingface/datatrove a649de7), words from word_tokenize() (text/tokenize.h).
//
// gopher-quality rejects, in this order (reason keys are datatrove's):
//   non-symbol words (words with a char outside datatrove's PUNCTUATION) < 50 or > 100,000
//   (gopher_short_doc / gopher_long_doc); their mean length outside [3, 10]
//   (gopher_below_avg_threshold / gopher_above_avg_threshold); count("#") / words > 0.1
//   (gopher_too_many_hashes); (count("...") + count("\u2026")) / words > 0.1
//   (gopher_too_many_ellipsis); lines (splitlines) whose lstrip starts with "\u2022" or "-"
//   > 90% (gopher_too_many_bullets); lines whose rstrip ends in "..." or "\u2026" > 30%
//   (gopher_too_many_end_ellipsis); words holding an alphabetic char < 80% of all words
//   (gopher_below_alpha_threshold); fewer than 2 distinct stop words of {the, be, to, of,
//   and, that, have, with} (gopher_enough_stop_words). "words" is every token.
// gopher-repetition rejects when, with L = len(text) in code points:
//   paragraphs = re.split("\n{2,}", text.strip()): duplicates / count > 0.3 (dup_para_frac),
//   chars of duplicates / L > 0.2 (dup_para_char_frac); lines = re.split("\n+", text): the
//   same with 0.3 / 0.2 (dup_line_frac / dup_line_char_frac); for n = 2, 3, 4 the most
//   frequent n-gram (" "-joined words; ties go to the one seen first) times its count, in
//   chars, / L > 0.20 / 0.18 / 0.16 (top_{n}_gram); for n = 5..10, scanning left to right,
//   an n-gram (words joined without separator) already seen adds its length and jumps n
//   words, / L > 0.15 .. 0.10 (duplicated_{n}_n_grams). A duplicate is any occurrence after
//   the first. An empty text is rejected as "empty" (datatrove divides by zero there).
//
//   lmk::GopherQualityParams q;  lmk::GopherRepetitionParams r;
//   if (auto v = lmk::gopher_quality_filter(text, q)) ...
//   if (auto v = lmk::gopher_repetition_filter(text, r)) ...
#pragma once
#include "lmk/text/filter.h"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lmk {

struct GopherQualityParams {
    double min_doc_words = 50, max_doc_words = 100000;
    double min_avg_word_length = 3, max_avg_word_length = 10;
    double max_symbol_word_ratio = 0.1;
    double max_bullet_lines_ratio = 0.9;
    double max_ellipsis_lines_ratio = 0.3;
    double max_non_alpha_words_ratio = 0.8;
    double min_stop_words = 2;
    std::vector<std::string> stop_words = {"the", "be", "to", "of", "and", "that", "have", "with"};
};

struct GopherRepetitionParams {
    double dup_line_frac = 0.3, dup_para_frac = 0.3;
    double dup_line_char_frac = 0.2, dup_para_char_frac = 0.2;
    std::vector<std::pair<int, double>> top_n_grams = {{2, 0.20}, {3, 0.18}, {4, 0.16}};
    std::vector<std::pair<int, double>> dup_n_grams = {{5, 0.15}, {6, 0.14}, {7, 0.13},
                                                       {8, 0.12}, {9, 0.11}, {10, 0.10}};
};

// `words`, when given, must be word_tokenize(text) (the pipeline tokenizes once for all filters).
Verdict gopher_quality_filter(std::string_view text, const GopherQualityParams& p,
                              const std::vector<std::string_view>* words = nullptr);
Verdict gopher_repetition_filter(std::string_view text, const GopherRepetitionParams& p,
                                 const std::vector<std::string_view>* words = nullptr);

// The measures behind the repetition rules, exposed for tests (chars are code points).
struct DuplicateCount {
    size_t elements = 0, chars = 0;
};
DuplicateCount find_duplicates(const std::vector<std::string_view>& items);
size_t top_ngram_chars(const std::vector<std::string_view>& words, int n);
size_t duplicate_ngram_chars(const std::vector<std::string_view>& words, int n);

} // namespace lmk
