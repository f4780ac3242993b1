// Tests for text/minhash.h and text/union_find.h: exact arithmetic against an independent
// reference, shingle counts on tiny texts, and the statistics the LSH relies on.
#include "lmk/text/minhash.h"
#include "lmk/text/union_find.h"

#include "lmk/core/error.h"
#include "lmk/core/rng.h"

#include <algorithm>
#include <cmath>
#include <doctest/doctest.h>

using namespace lmk;

TEST_CASE("minhash: universal hash mod 2^61-1 matches 128-bit reference") {
    const uint64_t P = MinHasher::kPrime;
    Rng rng(42);
    for (int i = 0; i < 10000; ++i) {
        uint64_t a = 1 + rng.below(P - 1), b = rng.below(P), x = rng.next_u64();
        if (i == 0) x = ~uint64_t(0);
        if (i == 1) x = P;
        unsigned __int128 ref = (static_cast<unsigned __int128>(a) * (x % P) + b) % P;
        REQUIRE(universal_hash_mod_p(a, b, x) == uint64_t(ref));
    }
}

TEST_CASE("minhash: shingles") {
    MinHasher mh({.bands = 2, .rows = 2, .ngram = 5, .seed = 1});
    MinHasher::Scratch s;
    mh.shingles("a b c d e f", s);
    CHECK(s.shingles.size() == 2);
    mh.shingles("a b", s);
    CHECK(s.shingles.size() == 1);
    mh.shingles(" ,.; ", s);
    CHECK(s.shingles.empty());
    mh.shingles("中文文本测试", s); // six one-character words
    CHECK(s.words.size() == 6);
    CHECK(s.shingles.size() == 2);
    mh.shingles("abc中文 def", s); // abc, 中, 文, def
    CHECK(s.words.size() == 4);
    // Simplification makes these the same shingles; spacing does not matter either.
    auto x = mh.shingle_set("Hello, World! It's 2023 now, again.", s);
    auto y = mh.shingle_set("hello world it s 1999 now again", s);
    CHECK(x == y);
    CHECK(x.size() == 3); // 7 words: hello world it s 0 now again
    // A word is not a different word when split differently into n-grams.
    MinHasher mh1({.bands = 1, .rows = 1, .ngram = 1, .seed = 1});
    CHECK(mh1.shingle_set("b a b", s) == mh1.shingle_set("a b", s));
}

TEST_CASE("minhash: signature properties") {
    MinHasher mh({.bands = 14, .rows = 8, .ngram = 5, .seed = 7});
    CHECK(mh.num_hashes() == 112);
    MinHasher::Scratch s;
    std::vector<uint64_t> s1(112), s2(112), s3(112);
    CHECK_FALSE(mh.signature("!!", s1.data(), s));
    REQUIRE(mh.signature("one two three four five six seven", s1.data(), s));
    REQUIRE(mh.signature("One, two; three four five six seven.", s2.data(), s));
    CHECK(s1 == s2);
    // Signature of a union = elementwise min of the signatures.
    uint64_t x = 12345, y = 987654321;
    uint64_t both[2] = {x, y};
    mh.signature_of(&x, 1, s1.data());
    mh.signature_of(&y, 1, s2.data());
    mh.signature_of(both, 2, s3.data());
    for (int i = 0; i < 112; ++i) CHECK(s3[i] == std::min(s1[i], s2[i]));
    for (int i = 0; i < 112; ++i) CHECK(s3[i] < MinHasher::kPrime);
    // Seeds change the permutations; the same seed reproduces them.
    MinHasher other({.bands = 14, .rows = 8, .ngram = 5, .seed = 8}), same({.bands = 14, .rows = 8, .ngram = 5, .seed = 7});
    std::vector<uint64_t> o(112), m(112);
    other.signature_of(&x, 1, o.data());
    same.signature_of(&x, 1, m.data());
    CHECK(o != s1);
    CHECK(m == s1);
    CHECK_THROWS_AS(MinHasher({.bands = 0}), Error);
}

TEST_CASE("minhash: agreement rate estimates Jaccard") {
    // Sets A = [0, 1000), B = [300, 1300): J = 700 / 1300.
    MinHasher mh({.bands = 64, .rows = 8, .ngram = 5, .seed = 3}); // 512 hashes
    std::vector<uint64_t> a, b;
    for (uint64_t i = 0; i < 1000; ++i) a.push_back(i * 0x9e3779b97f4a7c15ULL);
    for (uint64_t i = 300; i < 1300; ++i) b.push_back(i * 0x9e3779b97f4a7c15ULL);
    std::vector<uint64_t> sa(512), sb(512);
    mh.signature_of(a.data(), a.size(), sa.data());
    mh.signature_of(b.data(), b.size(), sb.data());
    int agree = 0;
    for (int i = 0; i < 512; ++i) agree += sa[i] == sb[i];
    double j = 700.0 / 1300.0, est = agree / 512.0;
    CHECK(std::fabs(est - j) < 0.08); // 3.5 standard deviations
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    CHECK(jaccard_sorted(a.data(), a.size(), b.data(), b.size()) == doctest::Approx(j));
    // Band keys agree exactly when the band's rows agree.
    std::vector<uint64_t> ka(64), kb(64);
    mh.band_keys(sa.data(), ka.data());
    mh.band_keys(sb.data(), kb.data());
    for (int k = 0; k < 64; ++k)
        CHECK((ka[k] == kb[k]) == std::equal(sa.begin() + k * 8, sa.begin() + k * 8 + 8, sb.begin() + k * 8));
}

TEST_CASE("minhash: exact jaccard and S-curve") {
    uint64_t a[] = {1, 2, 3, 4}, b[] = {3, 4, 5};
    CHECK(jaccard_sorted(a, 4, b, 3) == doctest::Approx(2.0 / 5.0));
    CHECK(jaccard_sorted(a, 0, b, 0) == 0.0);
    CHECK(jaccard_sorted(a, 4, a, 4) == 1.0);
    CHECK(lsh_probability(0.8, 14, 8) == doctest::Approx(0.924).epsilon(0.001)); // datatrove's figure
    CHECK(lsh_probability(1.0, 14, 8) == 1.0);
    CHECK(lsh_probability(0.0, 14, 8) == 0.0);
    CHECK(lsh_threshold(14, 8) == doctest::Approx(0.719).epsilon(0.001));
    CHECK(lsh_explain(14, 8).find("0.80    0.9235") != std::string::npos);
}

TEST_CASE("union-find: min roots, order independent") {
    UnionFind uf(10);
    CHECK(uf.unite(7, 3));
    CHECK(uf.unite(9, 7));
    CHECK_FALSE(uf.unite(3, 9));
    CHECK(uf.find(9) == 3);
    CHECK(uf.find(4) == 4);
    uf.unite(5, 1);
    uf.unite(3, 5);
    uf.flatten();
    for (uint32_t i : {1u, 3u, 5u, 7u, 9u}) CHECK(uf.parent(i) == 1);
    // Any order of the same unions gives the same roots.
    std::vector<std::pair<uint32_t, uint32_t>> edges = {{8, 2}, {2, 6}, {6, 4}, {0, 9}, {9, 8}};
    std::vector<uint32_t> want;
    for (int perm = 0; perm < 5; ++perm) {
        std::rotate(edges.begin(), edges.begin() + 1, edges.end());
        UnionFind u(10);
        for (auto [x, y] : edges) u.unite(x, y);
        std::vector<uint32_t> roots;
        for (uint32_t i = 0; i < 10; ++i) roots.push_back(u.find(i));
        if (want.empty()) want = roots;
        CHECK(roots == want);
    }
    CHECK(want == std::vector<uint32_t>{0, 1, 0, 3, 0, 5, 0, 7, 0, 0});
}
