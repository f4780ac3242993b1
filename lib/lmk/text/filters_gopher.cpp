// text/filters_gopher.cpp: see filters_gopher.h.
//
// n-grams are never built as strings. The words are laid out once in one buffer, joined as
// the definition joins them (with " " for the top-n-gram rule, with nothing for the duplicate
// rule); an n-gram is the byte range from its first word's start to the next word's start (for
// " " that includes the trailing separator, which does not change which n-grams are equal).
// Its key is the 128-bit XXH3 hash of those bytes, so two different n-grams share a key with
// probability ~2^-128 and the counts are those of the definition. The buffers and the
// open-addressing tables are per thread and reused across documents (a table is emptied by
// bumping a generation stamp, not by clearing it), so a document allocates nothing here once
// the thread has seen a larger one.
#include "lmk/text/filters_gopher.h"

#include "lmk/text/tokenize.h"
#include "lmk/text/unicode.h"

#include <algorithm>
#include <fmt/format.h>
#include <unordered_set>
// Inlined: the hash runs once per n-gram on a few dozen bytes, where a library call would
// cost as much as the hashing.
#define XXH_INLINE_ALL
#include <xxhash.h>

namespace lmk {
namespace {

struct NgramKey {
    uint64_t lo = 0, hi = 0;
    bool operator==(const NgramKey& o) const { return lo == o.lo && hi == o.hi; }
};

class NgramLayout {
public:
    // Lays out `words` joined by `sep` in this thread's buffer number `slot` (0 or 1, so two
    // layouts can live at once).
    NgramLayout(const std::vector<std::string_view>& words, std::string_view sep, int slot) : sep_(sep.size()) {
        thread_local Buffers tl[2];
        Buffers& b = tl[slot];
        size_t n = words.size();
        b.pos.resize(n + 1), b.chars.resize(n + 1);
        b.bytes.clear();
        b.pos[0] = b.chars[0] = 0;
        for (size_t i = 0; i < n; i++) {
            b.bytes.append(words[i]);
            b.bytes.append(sep);
            b.pos[i + 1] = b.bytes.size();
            b.chars[i + 1] = b.chars[i] + char_count(words[i]);
        }
        buf_ = &b;
    }
    NgramKey key(size_t i, size_t n) const {
        XXH128_hash_t h = XXH3_128bits(buf_->bytes.data() + buf_->pos[i], buf_->pos[i + n] - buf_->pos[i]);
        return {h.low64, h.high64};
    }
    size_t chars(size_t i, size_t n) const { return buf_->chars[i + n] - buf_->chars[i] + (n - 1) * sep_; }

private:
    struct Buffers {
        std::string bytes;
        std::vector<size_t> pos, chars; // per word boundary: byte offset, code points so far
    };
    size_t sep_;
    const Buffers* buf_;
};

// Open-addressing map from NgramKey to a small payload, sized for `max_items` by reset().
// One per thread and payload type, reused: reset() makes every slot stale by moving to a new
// generation instead of clearing the storage.
template <typename V> class KeyTable {
public:
    static KeyTable& for_thread(size_t max_items) {
        thread_local KeyTable t;
        t.reset(max_items);
        return t;
    }
    // Returns the payload for k and whether it was inserted now.
    std::pair<V*, bool> insert(const NgramKey& k, const V& init) {
        size_t i = size_t(k.lo) & mask_;
        while (true) {
            Slot& s = slots_[i];
            if (s.gen != gen_) {
                s.gen = gen_, s.key = k, s.value = init;
                return {&s.value, true};
            }
            if (s.key == k) return {&s.value, false};
            i = (i + 1) & mask_;
        }
    }

private:
    void reset(size_t max_items) {
        size_t cap = 16;
        while (cap < max_items * 2) cap <<= 1;
        if (slots_.size() < cap) slots_.resize(cap);
        mask_ = cap - 1;
        if (++gen_ == 0) { // generation counter wrapped: stale stamps could match again
            for (auto& s : slots_) s.gen = 0;
            gen_ = 1;
        }
    }
    struct Slot {
        NgramKey key;
        V value{};
        uint32_t gen = 0;
    };
    std::vector<Slot> slots_;
    size_t mask_ = 0;
    uint32_t gen_ = 0;
};

size_t top_ngram(const NgramLayout& L, size_t nw, int n) {
    if (nw < size_t(n)) return 0;
    struct Entry {
        uint32_t count = 0;
        uint32_t first = 0;
    };
    size_t total = nw - size_t(n) + 1;
    auto& table = KeyTable<Entry>::for_thread(total);
    uint32_t best_count = 0, best_first = 0;
    for (size_t i = 0; i < total; i++) {
        auto [e, fresh] = table.insert(L.key(i, size_t(n)), Entry{0, uint32_t(i)});
        e->count++;
        // Counter.most_common(1): highest count, ties to the n-gram inserted first.
        if (e->count > best_count || (e->count == best_count && e->first < best_first))
            best_count = e->count, best_first = e->first;
    }
    return L.chars(best_first, size_t(n)) * best_count;
}

size_t duplicate_ngram(const NgramLayout& L, size_t nw, int n) {
    if (nw < size_t(n)) return 0;
    auto& seen = KeyTable<char>::for_thread(nw - size_t(n) + 1);
    size_t repeated = 0, idx = 0;
    while (idx < nw - size_t(n) + 1) {
        if (!seen.insert(L.key(idx, size_t(n)), 0).second) {
            repeated += L.chars(idx, size_t(n));
            idx += size_t(n);
        } else {
            idx++;
        }
    }
    return repeated;
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
    return top_ngram(NgramLayout(words, " ", 0), words.size(), n);
}

size_t duplicate_ngram_chars(const std::vector<std::string_view>& words, int n) {
    return duplicate_ngram(NgramLayout(words, "", 1), words.size(), n);
}

Verdict gopher_quality_filter(std::string_view text, const GopherQualityParams& p,
                              const std::vector<std::string_view>* given) {
    std::vector<std::string_view> own;
    if (!given) own = word_tokenize(text);
    const auto& words = given ? *given : own;
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
        // Which stop words occur (a bit per list entry; words longer than every stop word
        // cannot match), then how many distinct strings those are.
        std::vector<char> hit(p.stop_words.size(), 0);
        size_t longest = 0;
        for (const auto& s : p.stop_words) longest = std::max(longest, s.size());
        for (auto w : words)
            if (w.size() <= longest)
                for (size_t k = 0; k < p.stop_words.size(); k++)
                    if (w == p.stop_words[k]) hit[k] = 1;
        std::unordered_set<std::string_view> found;
        for (size_t k = 0; k < p.stop_words.size(); k++)
            if (hit[k]) found.insert(p.stop_words[k]);
        if (double(found.size()) < p.min_stop_words)
            return Rejection{"gopher_enough_stop_words", fmt::format("{} stop words < {}", found.size(), p.min_stop_words)};
    }
    return std::nullopt;
}

Verdict gopher_repetition_filter(std::string_view text, const GopherRepetitionParams& p,
                                 const std::vector<std::string_view>* given) {
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
    std::vector<std::string_view> own;
    if (!given) own = word_tokenize(text);
    const auto& words = given ? *given : own;
    if (!p.top_n_grams.empty()) {
        NgramLayout spaced(words, " ", 0);
        for (auto [n, frac] : p.top_n_grams) {
            if (words.size() < size_t(n)) continue;
            double r = double(top_ngram(spaced, words.size(), n)) / L;
            if (r > frac) return Rejection{fmt::format("top_{}_gram", n), ratio_detail(r, ">", frac)};
        }
    }
    NgramLayout joined(words, "", 1);
    for (auto [n, frac] : p.dup_n_grams) {
        double r = double(duplicate_ngram(joined, words.size(), n)) / L;
        if (r > frac) return Rejection{fmt::format("duplicated_{}_n_grams", n), ratio_detail(r, ">", frac)};
    }
    return std::nullopt;
}

} // namespace lmk
