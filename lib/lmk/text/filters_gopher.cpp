// text/filters_gopher.cpp: see filters_gopher.h.
//
// n-grams are never built as strings. Each n-gram is a range of the words as the definition
// joins them: with " " for the top-n-gram rule (the range then ends with one trailing " ",
// which does not change which n-grams are equal), with nothing for the duplicate rule. Its key
// is a hash of those bytes that any range gets in O(1) from prefix hashes kept at word
// boundaries (NgramScan below), so each word is hashed once however many n and n-grams cover
// it, and n-grams that differ only in where their word boundaries fall get the same key, as
// the definition asks. A key match is confirmed by comparing the bytes, so a hash collision
// costs a comparison, never a wrong count. n-grams that provably occur once are skipped (see
// NgramScan). The per-word arrays and the open-addressing tables are per thread and reused
// across documents (a table is emptied by bumping a generation stamp, not by clearing it), so
// a document allocates nothing here once the thread has seen a larger one.
#include "lmk/text/filters_gopher.h"

#include "lmk/text/tokenize.h"
#include "lmk/text/unicode.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <fmt/format.h>
#include <unordered_set>
// Inlined: find_duplicates hashes every line and paragraph, mostly short ones.
#define XXH_INLINE_ALL
#include <xxhash.h>

namespace lmk {
namespace {

// Arithmetic mod the Mersenne prime p = 2^61-1 on reduced values (< p). The base is 2^8, so a
// string's hash is the string read as a little-endian number, mod p: multiplying by a power of
// 2 is a rotation of 61 bits (2^61 = 1 mod p), and a word of up to seven bytes hashes to its
// bytes. (A weak hash for adversarial text, but every key match is confirmed by comparing
// bytes, so a collision costs time, never a wrong count.)
constexpr uint64_t kMod = (uint64_t(1) << 61) - 1;

inline uint64_t add_mod(uint64_t a, uint64_t b) {
    uint64_t r = a + b;
    return r >= kMod ? r - kMod : r;
}
inline uint64_t sub_mod(uint64_t a, uint64_t b) { return a - b + (a < b ? kMod : 0); }
// v * 2^s mod p for s in [0, 61): a rotation of the 61-bit value.
inline uint64_t rotate61(uint64_t v, unsigned s) { return ((v << s) & kMod) | (v >> (61 - s)); }

// 8 * len mod 61 (the rotation for 256^len), and r + d mod 61 for r, d < 61.
inline unsigned byte_rotation(size_t len) {
    static constexpr auto table = [] {
        std::array<uint8_t, 61> t{};
        for (unsigned i = 0; i < 61; i++) t[i] = uint8_t(i * 8 % 61);
        return t;
    }();
    return table[len < 61 ? len : len % 61];
}
inline unsigned add_rotation(unsigned r, unsigned d) {
    r += d;
    return r >= 61 ? r - 61 : r;
}

// Bytes [0, len) of p as a little-endian number, len <= 8 (overlapping loads, no byte loop).
inline uint64_t load_le(const char* p, size_t len) {
    if (len >= 4) {
        uint32_t lo, hi;
        std::memcpy(&lo, p, 4);
        std::memcpy(&hi, p + len - 4, 4);
        return uint64_t(lo) | (uint64_t(hi) << (8 * (len - 4)));
    }
    if (len == 0) return 0;
    auto b = [&](size_t i) { return uint64_t(static_cast<unsigned char>(p[i])) << (8 * i); };
    return b(0) | b(len >> 1) | b(len - 1);
}

// H(w) = w read as a little-endian number mod p, seven bytes at a time.
inline uint64_t word_hash(std::string_view w) {
    if (w.size() <= 7) return load_le(w.data(), w.size());
    uint64_t h = 0;
    unsigned r = 0; // 8 * t mod 61
    for (size_t t = 0; t < w.size(); t += 7, r = add_rotation(r, 56))
        h = add_mod(h, rotate61(load_le(w.data() + t, std::min<size_t>(7, w.size() - t)), r));
    return h;
}

// Open-addressing table sized for `max_items` by reset(); one per thread and use, reused:
// reset() makes every slot stale by moving to a new generation instead of clearing storage.
template <typename Slot> class Table {
public:
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
    // The slot of the first item with hash h that satisfies same(slot), or a fresh slot
    // (stamped and hashed, the rest for the caller to fill); `fresh` says which.
    template <typename Same> Slot& find(uint64_t h, Same&& same, bool& fresh) {
        size_t at = size_t((h * 0x9E3779B97F4A7C15ull) >> 32) & mask_;
        while (true) {
            Slot& s = slots_[at];
            if (s.gen != gen_) {
                s.gen = gen_, s.hash = h;
                fresh = true;
                return s;
            }
            if (s.hash == h && same(s)) {
                fresh = false;
                return s;
            }
            at = (at + 1) & mask_;
        }
    }

private:
    std::vector<Slot> slots_;
    size_t mask_ = 0;
    uint32_t gen_ = 0;
};

// The n-gram measures of one word list. Per word boundary k (0..n) it keeps the byte offset
// and code points of the joined words before k and, for each layout (words joined with
// nothing; each word followed by " "), the prefix hash S[k] of the bytes before k (sum
// c[t] * 256^t mod p) with the rotation that divides by 256^offset(k): the key of a range is
// (S[e] - S[i]) / 256^offset(i), a subtraction and a rotation. The joined bytes are also laid
// out, for comparisons and for the 16-byte windows below.
//
// Most n-grams of a page occur once, and an n-gram that occurs once needs no table work: it
// cannot be the most frequent one unless every n-gram occurs once (then the first one is), and
// it cannot be a duplicate. Two cheap certificates of "occurs once" are used:
//  - spaced n-grams: if the words hold no " ", equal n-grams have equal (n-1)-gram prefixes,
//    so a position whose shorter n-gram occurred once is skipped for the longer n;
//  - joined n-grams: equal n-grams of >= 16 bytes begin with equal 16-byte windows of the
//    joined text, so a position whose window occurs once in the page (among windows at every
//    word start) is skipped where its n-gram has >= 16 bytes.
// The arrays live in thread-local storage: one NgramScan per thread at a time.
class NgramScan {
public:
    explicit NgramScan(const std::vector<std::string_view>& words) : words_(words.data()), n_(words.size()) {
        ThreadState& t = state();
        t_ = &t;
        size_t n = n_;
        if (t.pos.size() < n + 1) {
            t.pos.resize(n + 1), t.chars.resize(n + 1), t.multi.resize(n + 1), t.window_multi.resize(n + 1);
            for (int l = 0; l < 2; l++) t.prefix[l].resize(n + 1), t.unshift[l].resize(n + 1);
        }
        size_t total = 0;
        for (size_t k = 0; k < n; k++) total += words[k].size();
        if (t.joined.size() < total + 8) t.joined.resize(total + 8);
        // Raw pointers: the byte stores below could otherwise alias the vectors' own fields.
        size_t* pos_at = t.pos.data();
        size_t* chars_at = t.chars.data();
        uint64_t *sj_at = t.prefix[0].data(), *ss_at = t.prefix[1].data();
        uint8_t *uj_at = t.unshift[0].data(), *us_at = t.unshift[1].data();
        char* out = t.joined.data();
        size_t pos = 0, chars = 0;
        uint64_t sj = 0, ss = 0;
        unsigned rj = 0, rs = 0; // 8 * (offset of the boundary in each layout) mod 61
        auto boundary = [&](size_t k) {
            pos_at[k] = pos, chars_at[k] = chars;
            sj_at[k] = sj, ss_at[k] = ss;
            uj_at[k] = uint8_t(rj ? 61 - rj : 0), us_at[k] = uint8_t(rs ? 61 - rs : 0);
        };
        for (size_t k = 0; k < n; k++) {
            boundary(k);
            std::string_view w = words[k];
            uint64_t h;
            if (w.size() <= 7) { // the word is its hash; the buffer has 8 bytes of slack
                h = load_le(w.data(), w.size());
                std::memcpy(out + pos, &h, 8);
                uint64_t cont = (h & ~(h << 1) & 0x8080808080808080ull) >> 7;
                chars += w.size() - size_t((cont * 0x0101010101010101ull) >> 56);
            } else {
                h = word_hash(w);
                std::memcpy(out + pos, w.data(), w.size());
                chars += char_count(w);
            }
            unsigned lw = byte_rotation(w.size());
            sj = add_mod(sj, rotate61(h, rj));
            rj = add_rotation(rj, lw);
            ss = add_mod(ss, rotate61(h, rs));
            rs = add_rotation(rs, lw);
            ss = add_mod(ss, rotate61(uint64_t(' '), rs));
            rs = add_rotation(rs, 8);
            pos += w.size();
        }
        boundary(n);
        joined_ = std::string_view(t.joined.data(), pos);
        spaces_in_words_ = joined_.find(' ') != std::string_view::npos;
    }

    // Counter(" ".join(n-gram)).most_common(1): its count times its length in code points.
    size_t top(size_t n) {
        if (n_ < n) return 0;
        ThreadState& t = *t_;
        size_t total = n_ - n + 1;
        // multi[i]: the (multi_n_)-gram at i occurs more than once; the rest are skipped, and
        // this pass refines multi to n-grams when it is at least as long.
        bool filter = multi_n_ > 0 && multi_n_ <= n && !spaces_in_words_;
        bool record = !spaces_in_words_ && n >= multi_n_;
        t.top_table.reset(total);
        uint32_t best_count = 0, best_first = 0;
        for (size_t i = 0; i < total; i++) {
            if (filter && !t.multi[i]) continue;
            bool fresh;
            uint64_t h = key(i, n, 1);
            TopSlot& s = t.top_table.find(h, [&](const TopSlot& s) { return same(s.first, i, n, 1); }, fresh);
            if (fresh) s.first = uint32_t(i), s.count = 0;
            uint32_t count = ++s.count;
            if (record) {
                t.multi[i] = count > 1;
                if (count == 2) t.multi[s.first] = 1;
            }
            // Counter.most_common(1): highest count, ties to the n-gram inserted first.
            if (count > best_count || (count == best_count && s.first < best_first))
                best_count = count, best_first = s.first;
        }
        if (record) {
            for (size_t i = total; i <= n_; i++) t.multi[i] = 0;
            multi_n_ = n;
        }
        if (best_count < 2) return chars(0, n, 1); // every n-gram occurs once: the first one wins
        return chars(best_first, n, 1) * best_count;
    }

    // datatrove's duplicated n-gram chars: scanning left to right, an n-gram (words joined
    // without separator) already seen adds its length and jumps n words.
    size_t duplicate(size_t n) {
        if (n_ < n) return 0;
        ThreadState& t = *t_;
        if (!windows_done_) count_windows();
        size_t total = n_ - n + 1;
        t.dup_table.reset(total);
        size_t repeated = 0, idx = 0;
        while (idx < total) {
            if (!t.window_multi[idx] && bytes(idx, n, 0) >= kWindow) {
                idx++; // occurs once in the page: not seen before, never looked up again
                continue;
            }
            bool fresh;
            DupSlot& s = t.dup_table.find(key(idx, n, 0), [&](const DupSlot& s) { return same(s.first, idx, n, 0); }, fresh);
            if (fresh) {
                s.first = uint32_t(idx);
                idx++;
            } else {
                repeated += chars(idx, n, 0);
                idx += n;
            }
        }
        return repeated;
    }

private:
    static constexpr size_t kWindow = 16;
    struct TopSlot {
        uint64_t hash;
        uint32_t first, count, gen = 0;
    };
    struct DupSlot {
        uint64_t hash;
        uint32_t first, gen = 0;
    };
    struct WindowSlot {
        uint64_t hash, lo, hi;
        uint32_t first, gen = 0;
    };
    struct ThreadState {
        std::vector<size_t> pos, chars;
        std::vector<uint64_t> prefix[2]; // [0]: joined with "", [1]: with " "
        std::vector<uint8_t> unshift[2];
        std::vector<uint8_t> multi, window_multi;
        std::vector<char> joined;
        Table<TopSlot> top_table;
        Table<DupSlot> dup_table;
        Table<WindowSlot> window_table;
    };
    static ThreadState& state() {
        thread_local ThreadState t;
        return t;
    }

    // Bytes of words [i, i + n) joined with `sep` ("" or " "; " " also after the last word).
    size_t bytes(size_t i, size_t n, size_t sep) const { return t_->pos[i + n] - t_->pos[i] + n * sep; }
    // Code points of words [i, i + n) as the definition counts them (separators between words only).
    size_t chars(size_t i, size_t n, size_t sep) const { return t_->chars[i + n] - t_->chars[i] + (n - 1) * sep; }
    // Hash of words [i, i + n) in the layout with separator `sep`: equal bytes, equal keys.
    uint64_t key(size_t i, size_t n, size_t sep) const {
        const uint64_t* s = t_->prefix[sep].data();
        return rotate61(sub_mod(s[i + n], s[i]), t_->unshift[sep][i]);
    }
    // Whether words [i, i + n) and [j, j + n), each followed by `sep`, are the same bytes
    // (called on equal keys).
    bool same(size_t i, size_t j, size_t n, size_t sep) const {
        size_t len = bytes(i, n, sep);
        if (len != bytes(j, n, sep)) return false;
        if (sep == 0) return std::memcmp(joined_.data() + t_->pos[i], joined_.data() + t_->pos[j], len) == 0;
        // Spaced: the same words one by one, or (words holding " ") the general walk.
        size_t k = 0;
        while (k < n && words_[i + k] == words_[j + k]) k++;
        return k == n || (spaces_in_words_ && same_spaced_bytes(i, j, n));
    }
    // The spaced layout compared byte by byte, a piece (word or " ") at a time, for words
    // whose boundaries need not line up.
    bool same_spaced_bytes(size_t i, size_t j, size_t n) const {
        size_t wa = i, wb = j, oa = 0, ob = 0; // current word and offset in it (== size: the " ")
        size_t left = bytes(i, n, 1);
        auto piece = [&](size_t w, size_t o) {
            std::string_view s = words_[w];
            return o < s.size() ? s.substr(o) : std::string_view(" ");
        };
        auto advance = [&](size_t& w, size_t& o, size_t by) {
            o += by;
            if (o == words_[w].size() + 1) w++, o = 0;
        };
        while (left) {
            std::string_view pa = piece(wa, oa), pb = piece(wb, ob);
            size_t m = std::min(pa.size(), pb.size());
            if (std::memcmp(pa.data(), pb.data(), m) != 0) return false;
            advance(wa, oa, m), advance(wb, ob, m);
            left -= m;
        }
        return true;
    }
    // window_multi[k]: the 16 joined bytes from word k's start also begin at another word
    // start (or run past the end of the page).
    void count_windows() {
        ThreadState& t = *t_;
        t.window_table.reset(n_);
        for (size_t k = 0; k < n_; k++) t.window_multi[k] = 1;
        for (size_t k = 0; k < n_; k++) {
            size_t p = t.pos[k];
            if (p + kWindow > joined_.size()) break; // offsets only grow
            uint64_t lo, hi;
            std::memcpy(&lo, joined_.data() + p, 8);
            std::memcpy(&hi, joined_.data() + p + 8, 8);
            bool fresh;
            WindowSlot& s = t.window_table.find(
                lo ^ (hi * 0xC2B2AE3D27D4EB4Full), [&](const WindowSlot& s) { return s.lo == lo && s.hi == hi; }, fresh);
            if (fresh) {
                s.lo = lo, s.hi = hi, s.first = uint32_t(k);
                t.window_multi[k] = 0;
            } else {
                t.window_multi[s.first] = 1;
            }
        }
        windows_done_ = true;
    }

    const std::string_view* words_;
    size_t n_;
    ThreadState* t_;
    std::string_view joined_;
    bool spaces_in_words_ = false;
    size_t multi_n_ = 0; // n of the top() pass that filled multi (0: none)
    bool windows_done_ = false;
};

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
        const void* nl = std::memchr(s.data() + i, '\n', s.size() - i);
        if (!nl) break;
        i = size_t(static_cast<const char*>(nl) - s.data());
        size_t j = i;
        while (j < s.size() && s[j] == '\n') j++;
        if (j - i >= sep_min) {
            out.push_back(s.substr(start, i - start));
            start = j;
        }
        i = j;
    }
    out.push_back(s.substr(start));
    return out;
}

} // namespace

DuplicateCount find_duplicates(const std::vector<std::string_view>& items) {
    // Open addressing on XXH3-64 of each item, equal hashes confirmed by comparing the
    // items; the table is per thread and reused (see Table).
    struct Slot {
        uint64_t hash;
        uint32_t item;
        uint32_t gen = 0;
    };
    thread_local std::vector<Slot> slots;
    thread_local uint32_t gen = 0;
    size_t cap = 16;
    while (cap < items.size() * 2) cap <<= 1;
    if (slots.size() < cap) slots.resize(cap);
    if (++gen == 0) {
        for (auto& s : slots) s.gen = 0;
        gen = 1;
    }
    size_t mask = cap - 1;
    DuplicateCount d;
    for (size_t i = 0; i < items.size(); i++) {
        std::string_view it = items[i];
        uint64_t h = XXH3_64bits(it.data(), it.size());
        size_t at = size_t(h) & mask;
        while (true) {
            Slot& s = slots[at];
            if (s.gen != gen) {
                s.gen = gen, s.hash = h, s.item = uint32_t(i);
                break;
            }
            if (s.hash == h && items[s.item] == it) {
                d.elements++;
                d.chars += char_count(it);
                break;
            }
            at = (at + 1) & mask;
        }
    }
    return d;
}

size_t top_ngram_chars(const std::vector<std::string_view>& words, int n) { return NgramScan(words).top(size_t(n)); }

size_t duplicate_ngram_chars(const std::vector<std::string_view>& words, int n) {
    return NgramScan(words).duplicate(size_t(n));
}

Verdict gopher_quality_filter(std::string_view text, const GopherQualityParams& p,
                              const std::vector<std::string_view>* given) {
    std::vector<std::string_view> own;
    if (!given) own = word_tokenize(text);
    const auto& words = given ? *given : own;
    double n_words = double(words.size());
    size_t non_symbol = 0, non_symbol_chars = 0, alpha_words = 0;
    // ASCII words (most) from a table of the same predicates: bit 1 = not punctuation, bit 2 =
    // alphabetic.
    static const std::array<uint8_t, 128> ascii = [] {
        std::array<uint8_t, 128> t{};
        for (uint32_t c = 0; c < 128; c++) t[c] = uint8_t((is_punctuation(c) ? 0 : 1) | (py_isalpha(c) ? 2 : 0));
        return t;
    }();
    for (auto w : words) {
        unsigned flags = 0;
        size_t k = 0;
        for (; k < w.size() && static_cast<unsigned char>(w[k]) < 0x80; k++) flags |= ascii[static_cast<unsigned char>(w[k])];
        if (k == w.size()) {
            if (flags & 1) non_symbol++, non_symbol_chars += w.size();
            alpha_words += (flags >> 1) & 1;
            continue;
        }
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
    NgramScan scan(words);
    for (auto [n, frac] : p.top_n_grams) {
        if (words.size() < size_t(n)) continue;
        double r = double(scan.top(size_t(n))) / L;
        if (r > frac) return Rejection{fmt::format("top_{}_gram", n), ratio_detail(r, ">", frac)};
    }
    for (auto [n, frac] : p.dup_n_grams) {
        double r = double(scan.duplicate(size_t(n))) / L;
        if (r > frac) return Rejection{fmt::format("duplicated_{}_n_grams", n), ratio_detail(r, ">", frac)};
    }
    return std::nullopt;
}

} // namespace lmk
