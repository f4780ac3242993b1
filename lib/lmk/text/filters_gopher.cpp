// text/filters_gopher.cpp: see filters_gopher.h.
//
// n-grams are never built as strings. The words are laid out as the definition joins them
// (with " " for the top-n-gram rule, with nothing for the duplicate rule) and an n-gram is the
// substring from its first word's start to the next word's start (for " " that includes the
// trailing separator, which does not change which n-grams are equal). Its key is two
// independent polynomial hashes mod 2^61-1 of those bytes, from prefix hashes kept at word
// starts only (memory O(words), not O(bytes)): H(b..e) = H[e] - H[b] * B^(e-b). Two different n-grams share a
// key with probability ~2^-120, so the counts are those of the definition.
#include "lmk/text/filters_gopher.h"

#include "lmk/text/tokenize.h"
#include "lmk/text/unicode.h"

#include <fmt/format.h>
#include <unordered_set>

namespace lmk {
namespace {

constexpr uint64_t kMod = (uint64_t(1) << 61) - 1;

uint64_t mulmod(uint64_t a, uint64_t b) {
    unsigned __int128 p = static_cast<unsigned __int128>(a) * b;
    uint64_t lo = uint64_t(p & kMod), hi = uint64_t(p >> 61);
    uint64_t r = lo + hi;
    return r >= kMod ? r - kMod : r;
}

// x < 2 * kMod -> x mod kMod, without a division.
inline uint64_t reduce(uint64_t x) { return x >= kMod ? x - kMod : x; }

uint64_t powmod(uint64_t b, uint64_t e) {
    uint64_t r = 1;
    while (e) {
        if (e & 1) r = mulmod(r, b);
        b = mulmod(b, b);
        e >>= 1;
    }
    return r;
}

class NgramLayout {
public:
    NgramLayout(const std::vector<std::string_view>& words, std::string_view sep) : sep_(sep.size()) {
        size_t n = words.size();
        h1_.resize(n + 1), h2_.resize(n + 1), pos_.resize(n + 1), chars_.resize(n + 1);
        h1_[0] = h2_[0] = 0;
        pos_[0] = chars_[0] = 0;
        for (size_t i = 0; i < n; i++) {
            uint64_t a = h1_[i], b = h2_[i];
            auto feed = [&](std::string_view bytes) {
                for (unsigned char ch : bytes) {
                    a = reduce(mulmod(a, kBase1) + ch + 1);
                    b = reduce(mulmod(b, kBase2) + ch + 1);
                }
            };
            feed(words[i]);
            feed(sep);
            h1_[i + 1] = a, h2_[i + 1] = b;
            pos_[i + 1] = pos_[i] + words[i].size() + sep.size();
            chars_[i + 1] = chars_[i] + char_count(words[i]);
        }
    }
    struct Key {
        uint64_t a, b;
        bool operator==(const Key& o) const { return a == o.a && b == o.b; }
    };
    Key key(size_t i, size_t n) const {
        size_t len = pos_[i + n] - pos_[i];
        const auto& [p1, p2] = power(len);
        return {reduce(h1_[i + n] + kMod - mulmod(h1_[i], p1)), reduce(h2_[i + n] + kMod - mulmod(h2_[i], p2))};
    }
    size_t chars(size_t i, size_t n) const { return chars_[i + n] - chars_[i] + (n - 1) * sep_; }

private:
    static constexpr uint64_t kBase1 = 1000003, kBase2 = 911382323;
    static constexpr size_t kPowTable = 1 << 14;
    // B^len for both bases: a table grown on demand for the usual short n-grams, powmod beyond.
    std::pair<uint64_t, uint64_t> power(size_t len) const {
        if (len >= kPowTable) return {powmod(kBase1, len), powmod(kBase2, len)};
        if (pw_.empty()) pw_.push_back({1, 1});
        while (pw_.size() <= len) {
            auto [a, b] = pw_.back();
            pw_.push_back({mulmod(a, kBase1), mulmod(b, kBase2)});
        }
        return pw_[len];
    }
    size_t sep_;
    std::vector<uint64_t> h1_, h2_;
    std::vector<size_t> pos_, chars_;
    mutable std::vector<std::pair<uint64_t, uint64_t>> pw_;
};

// Open-addressing map from Key to a small payload; capacity fixed at construction.
template <typename V> class KeyTable {
public:
    explicit KeyTable(size_t max_items) {
        size_t cap = 16;
        while (cap < max_items * 2) cap <<= 1;
        slots_.resize(cap);
        mask_ = cap - 1;
    }
    // Returns the payload for k and whether it was inserted now.
    std::pair<V*, bool> insert(const NgramLayout::Key& k, const V& init) {
        size_t i = size_t(k.a ^ (k.b * 0x9E3779B97F4A7C15ull)) & mask_;
        while (true) {
            Slot& s = slots_[i];
            if (!s.used) {
                s.used = true, s.key = k, s.value = init;
                return {&s.value, true};
            }
            if (s.key == k) return {&s.value, false};
            i = (i + 1) & mask_;
        }
    }

private:
    struct Slot {
        NgramLayout::Key key{0, 0};
        V value{};
        bool used = false;
    };
    std::vector<Slot> slots_;
    size_t mask_;
};

size_t top_ngram(const NgramLayout& L, size_t nw, int n) {
    if (nw < size_t(n)) return 0;
    struct Entry {
        uint32_t count = 0;
        uint32_t first = 0;
    };
    size_t total = nw - size_t(n) + 1;
    KeyTable<Entry> table(total);
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
    KeyTable<char> seen(nw - size_t(n) + 1);
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
    return top_ngram(NgramLayout(words, " "), words.size(), n);
}

size_t duplicate_ngram_chars(const std::vector<std::string_view>& words, int n) {
    return duplicate_ngram(NgramLayout(words, ""), words.size(), n);
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
        std::unordered_set<std::string_view> found;
        for (auto w : words)
            for (const auto& s : p.stop_words)
                if (w == s) found.insert(s);
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
        NgramLayout spaced(words, " ");
        for (auto [n, frac] : p.top_n_grams) {
            if (words.size() < size_t(n)) continue;
            double r = double(top_ngram(spaced, words.size(), n)) / L;
            if (r > frac) return Rejection{fmt::format("top_{}_gram", n), ratio_detail(r, ">", frac)};
        }
    }
    NgramLayout joined(words, "");
    for (auto [n, frac] : p.dup_n_grams) {
        double r = double(duplicate_ngram(joined, words.size(), n)) / L;
        if (r > frac) return Rejection{fmt::format("duplicated_{}_n_grams", n), ratio_detail(r, ">", frac)};
    }
    return std::nullopt;
}

} // namespace lmk
