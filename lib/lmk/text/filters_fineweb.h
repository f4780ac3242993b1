// text/filters_fineweb.h: FineWeb's own quality rules (Penedo et al. 2024; datatrove
// FineWebQualityFilter at a649de7), words from word_tokenize() (text/tokenize.h).
//
// lines = text.split("\n") without the blank ones (strip() == ""); no line left is "empty".
// Rejected, in order, when:
//   lines ending (unstripped) in a TERMINAL_PUNCTUATION char / lines < 0.12 (line_punct_ratio;
//   with line_punct_exclude_zero a ratio of exactly 0 passes);
//   lines of <= 30 chars / lines > 0.67 (short_line_ratio);
//   chars of duplicate lines / chars of text without "\n" > char_duplicates_ratio
//   (char_dup_ratio; datatrove's code default 0.01, the FineWeb blog says 0.1: a parameter);
//   count("\n") / words > 0.3 (list_ratio).
//
//   lmk::FineWebParams p;  p.char_duplicates_ratio = 0.1;
//   if (auto v = lmk::fineweb_filter(text, p)) ...
#pragma once
#include "lmk/text/filter.h"

#include <string_view>
#include <vector>

namespace lmk {

struct FineWebParams {
    double line_punct_thr = 0.12;
    bool line_punct_exclude_zero = false;
    double short_line_thr = 0.67;
    int short_line_length = 30;
    double char_duplicates_ratio = 0.01;
    double new_line_ratio = 0.3;
};

// `words`, when given, must be word_tokenize(text).
Verdict fineweb_filter(std::string_view text, const FineWebParams& p,
                       const std::vector<std::string_view>* words = nullptr);

} // namespace lmk
