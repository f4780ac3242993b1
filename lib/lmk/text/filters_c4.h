// text/filters_c4.h: the C4 page cleaner of TFDS c4_utils.py (clean_page, is_valid_length).
//
// Exactly the published rules, applied in this order (Raffel et al. 2020, §2.2; TFDS code):
//   0. a page over max_page_chars (1.9e5) code points is dropped ("too_long"; TFDS's
//      is_valid_length, which runs on the raw page before cleaning);
//   for each line of text.splitlines(), stripped of whitespace:
//   1. a line holding a whitespace-separated word over max_word_length (1000) chars is dropped;
//   2. citations matching \[\d*\]|\[edit\]|\[citation needed\] are deleted (the line is not
//      stripped again, so "Text. [1]" ends in a space and fails the next rule, as in TFDS);
//   3. a line that does not end in . ? ! or " , or that ends in "...", is dropped;
//   4. a line of fewer than min_words_per_line (5) words is dropped;
//   5. a line containing "lorem ipsum" (lowercased) drops the page ("lorem_ipsum");
//   6. a line containing "javascript" is dropped;
//   7. a line containing "{" drops the page ("curly_bracket");
//   8. a line containing a policy phrase (terms of use, privacy policy, cookie policy, uses
//      cookies, use of cookies, use cookies) is dropped;
//   then the page is dropped when its kept lines hold fewer than min_sentences (3) sentences
//   ("too_few_sentences"; sentences counted per line with sentence_count(), text/tokenize.h,
//   standing in for NLTK Punkt), else its text becomes the kept lines joined by "\n".
// The badword rule TFDS also applies inside clean_page is the separate `badwords` filter.
//
//   lmk::C4Params p;             // published defaults
//   lmk::C4LineCounts lines;
//   std::string text = page;
//   if (auto r = lmk::c4_filter(text, p, &lines)) reject(r->reason);
#pragma once
#include "lmk/text/filter.h"

#include <cstdint>
#include <string>

namespace lmk {

struct C4Params {
    int min_words_per_line = 5;
    int min_sentences = 3;
    int max_word_length = 1000;
    double max_page_chars = 1.9e5;
};

// Lines removed from kept and rejected pages alike, by rule (TFDS's counter names).
struct C4LineCounts {
    uint64_t too_long_word = 0, no_endmark = 0, too_short = 0, javascript = 0, policy = 0, valid = 0;
};

// Cleans `text` in place; returns a rejection when the page is dropped (text then unspecified).
Verdict c4_filter(std::string& text, const C4Params& p, C4LineCounts* lines = nullptr);

// Rule 2 on its own (for tests): the line with citations removed.
std::string c4_remove_citations(std::string_view line);

} // namespace lmk
