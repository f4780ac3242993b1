// text/minhash.cpp: shingling and the signature loop. The signature loop dominates: per
// shingle, bands*rows multiply-mod-p steps, each a 64x64->128 multiply and a Mersenne
// reduction, with independent lanes so the CPU overlaps them.
#include "lmk/text/minhash.h"

#include "lmk/core/error.h"
#include "lmk/core/rng.h"
#include "lmk/core/utf8.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <limits>
#include <xxhash.h>

namespace lmk {
namespace {

constexpr uint64_t P = MinHasher::kPrime;

inline uint64_t reduce61(uint64_t x) {
    x = (x & P) + (x >> 61);
    return x >= P ? x - P : x;
}

inline uint64_t mulmod_add(uint64_t a, uint64_t x, uint64_t b) {
    // a, x, b < p: a*x < 2^122. (lo 61 bits) + (rest) < 2^62; + b < 2^62 + 2^61: one more fold.
    unsigned __int128 prod = static_cast<unsigned __int128>(a) * x;
    uint64_t lo = static_cast<uint64_t>(prod) & P;
    uint64_t hi = static_cast<uint64_t>(prod >> 61);
    return reduce61(lo + hi + b);
}

// The seed each word hash uses: fixed, so shingle values do not depend on --seed (the
// permutations do); signatures computed with one seed are comparable with each other.
constexpr uint64_t kWordSeed = 0x6c6d6b2d776f7264ULL; // "lmk-word"

} // namespace

bool is_unspaced_script(uint32_t cp) {
    return (cp >= 0x0E00 && cp <= 0x0EFF) ||   // Thai, Lao
           (cp >= 0x0F00 && cp <= 0x0FFF) ||   // Tibetan
           (cp >= 0x1000 && cp <= 0x109F) ||   // Myanmar
           (cp >= 0x1780 && cp <= 0x17FF) ||   // Khmer
           (cp >= 0x3040 && cp <= 0x30FF) ||   // Hiragana, Katakana
           (cp >= 0x31F0 && cp <= 0x31FF) ||   // Katakana phonetic extensions
           (cp >= 0x3400 && cp <= 0x4DBF) ||   // CJK extension A
           (cp >= 0x4E00 && cp <= 0x9FFF) ||   // CJK unified ideographs
           (cp >= 0xF900 && cp <= 0xFAFF) ||   // CJK compatibility ideographs
           (cp >= 0xFF66 && cp <= 0xFF9F) ||   // half-width Katakana
           (cp >= 0x20000 && cp <= 0x3134F);   // CJK extensions B..G
}

uint64_t universal_hash_mod_p(uint64_t a, uint64_t b, uint64_t x) { return mulmod_add(a, reduce61(x), b); }

MinHasher::MinHasher(const MinHashParams& p) : p_(p) {
    LMK_CHECK(p.bands >= 1 && p.rows >= 1 && p.bands * p.rows <= 4096,
              "minhash: bands ({}) and rows ({}) must be positive with at most 4096 hashes", p.bands, p.rows);
    LMK_CHECK(p.ngram >= 1 && p.ngram <= 64, "minhash: n-gram size must be 1..64, got {}", p.ngram);
    Rng rng(derive_seed(p.seed, stream_id("minhash")));
    size_t h = size_t(num_hashes());
    a_.resize(h);
    b_.resize(h);
    for (size_t i = 0; i < h; ++i) {
        a_[i] = 1 + rng.below(P - 1);
        b_[i] = rng.below(P);
    }
}

void MinHasher::shingles(std::string_view text, Scratch& s) const {
    simplify_text_into(text, s.simplified, p_.simplify);
    const std::string& t = s.simplified;
    s.words.clear();
    s.shingles.clear();
    // Words: maximal runs between spaces; a code point of an unspaced script is a word alone.
    size_t i = 0, n = t.size(), word_start = std::string::npos;
    auto end_word = [&](size_t end) {
        if (word_start != std::string::npos && end > word_start)
            s.words.push_back(XXH3_64bits_withSeed(t.data() + word_start, end - word_start, kWordSeed));
        word_start = std::string::npos;
    };
    while (i < n) {
        unsigned char c = static_cast<unsigned char>(t[i]);
        if (c == ' ' || (p_.simplify.collapse_whitespace == false && (c == '\n' || c == '\t' || c == '\r'))) {
            end_word(i);
            ++i;
            continue;
        }
        if (c < 0x80) {
            if (word_start == std::string::npos) word_start = i;
            ++i;
            continue;
        }
        uint32_t cp = 0;
        size_t len = utf8_decode(t.data() + i, n - i, &cp);
        if (len == 0) len = 1, cp = 0xFFFD;
        if (is_unspaced_script(cp)) {
            end_word(i);
            s.words.push_back(XXH3_64bits_withSeed(t.data() + i, len, kWordSeed));
        } else if (word_start == std::string::npos) {
            word_start = i;
        }
        i += len;
    }
    end_word(n);
    size_t nw = s.words.size(), k = size_t(p_.ngram);
    if (nw == 0) return;
    if (nw < k) {
        s.shingles.push_back(XXH3_64bits(s.words.data(), nw * sizeof(uint64_t)));
        return;
    }
    s.shingles.reserve(nw - k + 1);
    for (size_t w = 0; w + k <= nw; ++w)
        s.shingles.push_back(XXH3_64bits(s.words.data() + w, k * sizeof(uint64_t)));
}

std::vector<uint64_t> MinHasher::shingle_set(std::string_view text, Scratch& s) const {
    shingles(text, s);
    std::vector<uint64_t> out(s.shingles.begin(), s.shingles.end());
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

void MinHasher::signature_of(const uint64_t* sh, size_t n, uint64_t* sig) const {
    const size_t h = a_.size();
    const uint64_t* a = a_.data();
    const uint64_t* b = b_.data();
    std::fill(sig, sig + h, std::numeric_limits<uint64_t>::max());
    // Four shingles per pass over the hash functions: a[i], b[i] and sig[i] are loaded once
    // for four independent multiply-reduce chains, which keeps the multiplier busy.
    size_t j = 0;
    for (; j + 4 <= n; j += 4) {
        const uint64_t x0 = reduce61(sh[j]), x1 = reduce61(sh[j + 1]);
        const uint64_t x2 = reduce61(sh[j + 2]), x3 = reduce61(sh[j + 3]);
        for (size_t i = 0; i < h; ++i) {
            const uint64_t ai = a[i], bi = b[i];
            uint64_t v0 = mulmod_add(ai, x0, bi), v1 = mulmod_add(ai, x1, bi);
            uint64_t v2 = mulmod_add(ai, x2, bi), v3 = mulmod_add(ai, x3, bi);
            uint64_t m01 = v0 < v1 ? v0 : v1, m23 = v2 < v3 ? v2 : v3;
            uint64_t m = m01 < m23 ? m01 : m23;
            sig[i] = m < sig[i] ? m : sig[i];
        }
    }
    for (; j < n; ++j) {
        const uint64_t x = reduce61(sh[j]);
        for (size_t i = 0; i < h; ++i) {
            uint64_t v = mulmod_add(a[i], x, b[i]);
            sig[i] = v < sig[i] ? v : sig[i];
        }
    }
}

bool MinHasher::signature(std::string_view text, uint64_t* sig, Scratch& s) const {
    shingles(text, s);
    if (s.shingles.empty()) return false;
    // Repeated shingles change nothing (min is idempotent); sorting to drop them costs more
    // than it saves on typical pages, so they are hashed as they come.
    signature_of(s.shingles.data(), s.shingles.size(), sig);
    return true;
}

void MinHasher::band_keys(const uint64_t* sig, uint64_t* keys) const {
    const size_t r = size_t(p_.rows);
    for (int k = 0; k < p_.bands; ++k)
        keys[k] = XXH3_64bits_withSeed(sig + size_t(k) * r, r * sizeof(uint64_t), uint64_t(k));
}

double jaccard_sorted(const uint64_t* a, size_t na, const uint64_t* b, size_t nb) {
    if (na == 0 && nb == 0) return 0.0;
    size_t i = 0, j = 0, inter = 0;
    while (i < na && j < nb) {
        if (a[i] < b[j]) ++i;
        else if (b[j] < a[i]) ++j;
        else ++inter, ++i, ++j;
    }
    return double(inter) / double(na + nb - inter);
}

double lsh_probability(double s, int bands, int rows) {
    return 1.0 - std::pow(1.0 - std::pow(s, rows), bands);
}

double lsh_threshold(int bands, int rows) { return std::pow(1.0 / bands, 1.0 / rows); }

std::string lsh_explain(int bands, int rows) {
    std::string out = fmt::format(
        "LSH with {} bands x {} rows = {} hashes: a pair of Jaccard similarity s becomes a candidate\n"
        "with probability 1 - (1 - s^{})^{}; the curve is steepest near s = {:.3f}.\n"
        "  jaccard  P(candidate)\n",
        bands, rows, bands * rows, rows, bands, lsh_threshold(bands, rows));
    for (int i = 1; i <= 20; ++i) {
        double s = i * 0.05;
        double p = lsh_probability(s, bands, rows);
        int bar = int(std::lround(p * 40));
        out += fmt::format("  {:5.2f}    {:.4f}{}{}\n", s, p, bar ? "  " : "", std::string(size_t(bar), '#'));
    }
    return out;
}

} // namespace lmk
