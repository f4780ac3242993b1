// text/filters_fineweb.cpp: see filters_fineweb.h.
#include "lmk/text/filters_fineweb.h"

#include "lmk/text/filters_gopher.h"
#include "lmk/text/tokenize.h"
#include "lmk/text/unicode.h"

#include <vector>

namespace lmk {

Verdict fineweb_filter(std::string_view text, const FineWebParams& p, const std::vector<std::string_view>* words) {
    std::vector<std::string_view> lines;
    size_t start = 0, newlines = 0;
    for (size_t i = 0; i <= text.size(); i++) {
        if (i == text.size() || text[i] == '\n') {
            auto line = text.substr(start, i - start);
            if (!py_strip(line).empty()) lines.push_back(line);
            start = i + 1;
            newlines += i < text.size();
        }
    }
    if (lines.empty()) return Rejection{"empty", "no non-blank line"};
    double n = double(lines.size());
    size_t punct = 0, short_lines = 0;
    for (auto l : lines) {
        size_t e = l.size();
        if (is_terminal_punctuation(prev_codepoint(l, e))) punct++;
        if (char_count(l) <= size_t(p.short_line_length)) short_lines++;
    }
    double r = double(punct) / n;
    if (r < p.line_punct_thr && !(r == 0 && p.line_punct_exclude_zero))
        return Rejection{"line_punct_ratio", ratio_detail(r, "<", p.line_punct_thr)};
    r = double(short_lines) / n;
    if (r > p.short_line_thr) return Rejection{"short_line_ratio", ratio_detail(r, ">", p.short_line_thr)};
    r = double(find_duplicates(lines).chars) / double(char_count(text) - newlines);
    if (r > p.char_duplicates_ratio) return Rejection{"char_dup_ratio", ratio_detail(r, ">", p.char_duplicates_ratio)};
    r = double(newlines) / double(words ? words->size() : word_tokenize(text).size());
    if (r > p.new_line_ratio) return Rejection{"list_ratio", ratio_detail(r, ">", p.new_line_ratio)};
    return std::nullopt;
}

} // namespace lmk
