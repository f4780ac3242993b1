// text/filters_gopher.cpp: see filters_gopher.h.
//
// n-grams are keyed by 128-bit XXH3 hashes of their bytes (words joined as the definition
// says), so no n-gram string is built; a collision needs ~2^64 distinct n-grams in one page.
#include "lmk/text/filters_gopher.h"

#include "lmk/text/tokenize.h"
#include "lmk/text/unicode.h"

#include <fmt/format.h>
#include <unordered_map>
#include <unordered_set>
#include <xxhash.h>

namespace lmk {
namespace {

struct Hash128 {
    size_t operator()(const XXH128_hash_t& h) const { return size_t(h.low64 ^ (h.high64 * 0x9E3779B97F4A7C15ull)); }
};
struct Eq128 {
    bool operator()(const XXH128_hash_t& a, const XXH128_hash_t& b) const { return XXH128_isEqual(a, b); }
};

// Hash of words[i..i+n) joined by `sep` (empty or " ").
XXH128_hash_t ngram_hash(const std::vector<std::string_view>& words, size_t i, int n, std::string_view sep,
                         std::string& buf) {
    buf.clear();
    for (int k = 0; k < n; k++) {
        if (k) buf.append(sep);
        buf.append(words[i + size_t(k)]);
    }
    return XXH3_128bits(buf.data(), buf.size());
}

size_t count_substr(std::string_view s, std::string_view pat) {
    size_t n = 0, pos = 0;
    while ((pos = s.find(pat, pos)) != std::string_view::npos) n++, pos += pat.size();
    return n;
}

// re.split(r"\n{sep_min,}", s)
std::vector<std::string_view> split_newline_runs(std::string_view s, size_t sep_min) {
    std::vector<std::string_view> out;
    size_t start = 0, i = 0;
    while (i < s.size()) {
        if (s[i] == '\n') {
            size_t j = i;
            while (j < s.size() && s[j] == '\n') j++;
            if (j - i >= sep_min) {
                out.push_back(s.substr(start, i - start));
                start = j;
            }
            i = j;
        } else {
            i++;
        }
    }
    out.push_back(s.substr(start));
    return out;
}

} // namespace

DuplicateCount find_duplicates(const std::vector<std::string_view>& items) {
    std::unordered_set<std::string_view> seen;
    seen.reserve(items.size() * 2);
    DuplicateCount d;
    for (auto it : items) {
        if (!seen.insert(it).second) {
            d.elements++;
            d.chars += char_count(it);
        }
    }
    return d;
}

size_t top_ngram_chars(const std::vector<std::string_view>& words, int n) {
    if (words.size() < size_t(n)) return 0;
    struct Entry {
        size_t count, first, chars;
    };
    std::unordered_map<XXH128_hash_t, Entry, Hash128, Eq128> counts;
    std::string buf;
    size_t total = words.size() - size_t(n) + 1;
    counts.reserve(total * 2);
    const Entry* best = nullptr;
    for (size_t i = 0; i < total; i++) {
        auto h = ngram_hash(words, i, n, " ", buf);
        auto [it, fresh] = counts.try_emplace(h, Entry{0, i, 0});
        Entry& e = it->second;
        if (fresh) e.chars = char_count(buf);
        e.count++;
        // Counter.most_common(1): highest count, ties to the n-gram inserted first.
        if (!best || e.count > best->count || (e.count == best->count && e.first < best->first)) best = &e;
    }
    return best->chars * best->count;
}

size_t duplicate_ngram_chars(const std::vector<std::string_view>& words, int n) {
    std::unordered_set<XXH128_hash_t, Hash128, Eq128> seen;
    std::string buf;
    size_t repeated = 0, idx = 0;
    size_t nw = words.size();
    while (nw >= size_t(n) && idx < nw - size_t(n) + 1) {
        auto h = ngram_hash(words, idx, n, "", buf);
        if (!seen.insert(h).second) {
            repeated += char_count(buf);
            idx += size_t(n);
        } else {
            idx++;
        }
    }
    return repeated;
}

Verdict gopher_quality_filter(std::string_view text, const GopherQualityParams& p) {
    auto words = word_tokenize(text);
    double n_words = double(words.size());
    size_t non_symbol = 0, non_symbol_chars = 0, alpha_words = 0;
    for (auto w : words) {
        if (!all_punctuation(w)) {
            non_symbol++;
            non_symbol_chars += char_count(w);
        }
        size_t i = 0;
        while (i < w.size())
            if (py_isalpha(next_codepoint(w, i))) {
                alpha_words++;
                break;
            }
    }
    if (p.min_doc_words > 0 && double(non_symbol) < p.min_doc_words)
        return Rejection{"gopher_short_doc", fmt::format("{} words < {}", non_symbol, p.min_doc_words)};
    if (p.max_doc_words > 0 && double(non_symbol) > p.max_doc_words)
        return Rejection{"gopher_long_doc", fmt::format("{} words > {}", non_symbol, p.max_doc_words)};
    double avg = double(non_symbol_chars) / double(non_symbol);
    if (p.min_avg_word_length > 0 && avg < p.min_avg_word_length)
        return Rejection{"gopher_below_avg_threshold", ratio_detail(avg, "<", p.min_avg_word_length)};
    if (p.max_avg_word_length > 0 && avg > p.max_avg_word_length)
        return Rejection{"gopher_above_avg_threshold", ratio_detail(avg, ">", p.max_avg_word_length)};
    if (p.max_symbol_word_ratio > 0) {
        double hashes = double(count_substr(text, "#")) / n_words;
        if (hashes > p.max_symbol_word_ratio)
            return Rejection{"gopher_too_many_hashes", ratio_detail(hashes, ">", p.max_symbol_word_ratio)};
        double ell = double(count_substr(text, "...") + count_substr(text, "\u2026")) / n_words;
        if (ell > p.max_symbol_word_ratio)
            return Rejection{"gopher_too_many_ellipsis", ratio_detail(ell, ">", p.max_symbol_word_ratio)};
    }
    auto lines = py_splitlines(text);
    double n_lines = double(lines.size());
    size_t bullets = 0, ellipsis_end = 0;
    for (auto l : lines) {
        auto ls = py_lstrip(l);
        if (ls.starts_with("\u2022") || ls.starts_with("-")) bullets++;
        auto rs = py_rstrip(l);
        if (rs.ends_with("...") || rs.ends_with("\u2026")) ellipsis_end++;
    }
    if (p.max_bullet_lines_ratio > 0 && double(bullets) / n_lines > p.max_bullet_lines_ratio)
        return Rejection{"gopher_too_many_bullets", ratio_detail(double(bullets) / n_lines, ">", p.max_bullet_lines_ratio)};
    if (p.max_ellipsis_lines_ratio > 0 && double(ellipsis_end) / n_lines > p.max_ellipsis_lines_ratio)
        return Rejection{"gopher_too_many_end_ellipsis",
                         ratio_detail(double(ellipsis_end) / n_lines, ">", p.max_ellipsis_lines_ratio)};
    if (p.max_non_alpha_words_ratio > 0 && double(alpha_words) / n_words < p.max_non_alpha_words_ratio)
        return Rejection{"gopher_below_alpha_threshold",
                         ratio_detail(double(alpha_words) / n_words, "<", p.max_non_alpha_words_ratio)};
    if (p.min_stop_words > 0) {
        std::unordered_set<std::string_view> found;
        for (auto w : words)
            for (const auto& s : p.stop_words)
                if (w == s) found.insert(s);
        if (double(found.size()) < p.min_stop_words)
            return Rejection{"gopher_enough_stop_words", fmt::format("{} stop words < {}", found.size(), p.min_stop_words)};
    }
    return std::nullopt;
}

Verdict gopher_repetition_filter(std::string_view text, const GopherRepetitionParams& p) {
    double L = double(char_count(text));
    if (L == 0) return Rejection{"empty", "no text"};
    auto paragraphs = split_newline_runs(py_strip(text), 2);
    auto pd = find_duplicates(paragraphs);
    if (p.dup_para_frac > 0 && double(pd.elements) / double(paragraphs.size()) > p.dup_para_frac)
        return Rejection{"dup_para_frac", ratio_detail(double(pd.elements) / double(paragraphs.size()), ">", p.dup_para_frac)};
    if (p.dup_para_char_frac > 0 && double(pd.chars) / L > p.dup_para_char_frac)
        return Rejection{"dup_para_char_frac", ratio_detail(double(pd.chars) / L, ">", p.dup_para_char_frac)};
    auto lines = split_newline_runs(text, 1);
    auto ld = find_duplicates(lines);
    if (p.dup_line_frac > 0 && double(ld.elements) / double(lines.size()) > p.dup_line_frac)
        return Rejection{"dup_line_frac", ratio_detail(double(ld.elements) / double(lines.size()), ">", p.dup_line_frac)};
    if (p.dup_line_char_frac > 0 && double(ld.chars) / L > p.dup_line_char_frac)
        return Rejection{"dup_line_char_frac", ratio_detail(double(ld.chars) / L, ">", p.dup_line_char_frac)};
    auto words = word_tokenize(text);
    for (auto [n, frac] : p.top_n_grams) {
        if (words.size() < size_t(n)) continue;
        double r = double(top_ngram_chars(words, n)) / L;
        if (r > frac) return Rejection{fmt::format("top_{}_gram", n), ratio_detail(r, ">", frac)};
    }
    for (auto [n, frac] : p.dup_n_grams) {
        double r = double(duplicate_ngram_chars(words, n)) / L;
        if (r > frac) return Rejection{fmt::format("duplicated_{}_n_grams", n), ratio_detail(r, ">", frac)};
    }
    return std::nullopt;
}

} // namespace lmk
