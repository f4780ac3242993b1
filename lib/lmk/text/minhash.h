// text/minhash.h: MinHash signatures and LSH banding for near-duplicate detection
// (Broder 1997; datatrove's defaults).
//
// A document becomes a set of shingles: its simplify_text() form split on spaces into words,
// where each character of a script written without spaces (Han, Hiragana, Katakana, Thai, Lao,
// Khmer, Myanmar, Tibetan) counts as a word of its own, and every run of `ngram` consecutive
// words is one shingle (a text with fewer words is one shingle of all of them; an empty one has
// none and never matches anything). A shingle's 64-bit value is XXH3 over the XXH3 hashes of its
// words, so it does not depend on how the words were spaced.
//
// The signature is bands*rows values h_i = min over shingles x of (a_i * x' + b_i) mod p, with
// p = 2^61 - 1 (a Mersenne prime), x' = x mod p, and a_i in [1, p), b_i in [0, p) drawn from
// lmk::Rng seeded with derive_seed(seed, stream_id("minhash")): a universal family, exact
// 128-bit arithmetic. P[h_i(A) == h_i(B)] = Jaccard(A, B).
//
// LSH: band k is rows k*R .. k*R+R-1 of the signature; its key is XXH3-64 of those R values
// (seeded with k). Two documents are candidates when any band key is equal: probability
// 1 - (1 - s^R)^B for Jaccard s (the S-curve; 14 x 8 puts its midpoint near 0.72). A key
// collision between different bands' rows has probability 2^-64 per pair and band; with
// --verify-jaccard every candidate is checked against the exact Jaccard of the shingle sets.
//
//   lmk::MinHasher mh({.bands = 14, .rows = 8, .ngram = 5, .seed = 1});
//   lmk::MinHasher::Scratch s;
//   std::vector<uint64_t> sig(mh.num_hashes()), keys(mh.params().bands);
//   if (mh.signature(text, sig.data(), s)) mh.band_keys(sig.data(), keys.data());
#pragma once
#include "lmk/text/simplify.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lmk {

struct MinHashParams {
    int bands = 14;
    int rows = 8;
    int ngram = 5;
    uint64_t seed = 1;
    SimplifyOptions simplify{};
};

class MinHasher {
public:
    static constexpr uint64_t kPrime = (uint64_t(1) << 61) - 1;

    // Per-thread buffers, reused across documents.
    struct Scratch {
        std::string simplified;
        std::vector<uint64_t> words;
        std::vector<uint64_t> shingles;
    };

    explicit MinHasher(const MinHashParams& p); // throws lmk::Error on bad sizes
    const MinHashParams& params() const { return p_; }
    int num_hashes() const { return p_.bands * p_.rows; }

    // The document's shingle values (in text order, may repeat) into s.shingles.
    void shingles(std::string_view text, Scratch& s) const;
    // Sorted, distinct shingle values: the set Jaccard is defined on.
    std::vector<uint64_t> shingle_set(std::string_view text, Scratch& s) const;
    // Writes num_hashes() values to sig; false (sig untouched) when the text has no shingle.
    bool signature(std::string_view text, uint64_t* sig, Scratch& s) const;
    // Signature of precomputed shingle values (n > 0).
    void signature_of(const uint64_t* shingles, size_t n, uint64_t* sig) const;
    // bands values: the LSH key of each band of sig.
    void band_keys(const uint64_t* sig, uint64_t* keys) const;

private:
    MinHashParams p_;
    std::vector<uint64_t> a_, b_;
};

// (a * x + b) mod 2^61-1 for a, b < p and any x (reduced first).
uint64_t universal_hash_mod_p(uint64_t a, uint64_t b, uint64_t x);

// Jaccard |A n B| / |A u B| of two sorted distinct sequences (0 when both are empty).
double jaccard_sorted(const uint64_t* a, size_t na, const uint64_t* b, size_t nb);

// LSH inclusion probability 1 - (1 - s^rows)^bands.
double lsh_probability(double s, int bands, int rows);
// The similarity where the S-curve is steepest, about (1/bands)^(1/rows).
double lsh_threshold(int bands, int rows);
// A table of the S-curve for --explain: one line per similarity 0.05 .. 1.00.
std::string lsh_explain(int bands, int rows);

// True for code points of scripts written without spaces between words (see above).
bool is_unspaced_script(uint32_t cp);

} // namespace lmk
