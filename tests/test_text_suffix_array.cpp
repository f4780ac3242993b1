// Tests for text/suffix_array.h: SA-IS and longest previous factors against naive references
// on exhaustive tiny strings and random strings over small alphabets (where repeats abound).
#include "lmk/text/suffix_array.h"

#include "lmk/core/rng.h"

#include <algorithm>
#include <doctest/doctest.h>
#include <numeric>
#include <string>

using namespace lmk;

static std::vector<int32_t> naive_sa(const std::string& t) {
    std::vector<int32_t> sa(t.size());
    std::iota(sa.begin(), sa.end(), 0);
    std::sort(sa.begin(), sa.end(), [&](int32_t a, int32_t b) {
        return std::string_view(t).substr(size_t(a)) < std::string_view(t).substr(size_t(b));
    });
    return sa;
}

static std::vector<int32_t> naive_lpf(const std::string& t, char sep) {
    std::vector<int32_t> out(t.size(), 0);
    for (size_t p = 0; p < t.size(); ++p)
        for (size_t q = 0; q < p; ++q) {
            size_t l = 0;
            while (p + l < t.size() && t[p + l] == t[q + l] && t[p + l] != sep) ++l;
            out[p] = std::max(out[p], int32_t(l));
        }
    return out;
}

TEST_CASE("suffix array: examples") {
    CHECK(suffix_array("abcab") == std::vector<int32_t>{3, 0, 4, 1, 2});
    CHECK(suffix_array("banana") == std::vector<int32_t>{5, 3, 1, 0, 4, 2});
    CHECK(suffix_array("").empty());
    CHECK(suffix_array("a") == std::vector<int32_t>{0});
    CHECK(suffix_array("aaaa") == std::vector<int32_t>{3, 2, 1, 0});
    std::string with_high = "\xff\x01\xff\x00\x80";
    with_high[3] = '\0';
    CHECK(suffix_array(with_high) == naive_sa(with_high)); // bytes compare unsigned
}

TEST_CASE("suffix array: exhaustive binary strings up to length 12") {
    for (int len = 1; len <= 12; ++len)
        for (int bits = 0; bits < (1 << len); ++bits) {
            std::string t;
            for (int i = 0; i < len; ++i) t += (bits >> i) & 1 ? 'b' : 'a';
            REQUIRE(suffix_array(t) == naive_sa(t));
        }
}

TEST_CASE("suffix array and previous factors: random strings") {
    Rng rng(7);
    for (int iter = 0; iter < 300; ++iter) {
        size_t len = 1 + rng.below(400);
        int k = 1 + int(rng.below(4));
        std::string t;
        for (size_t i = 0; i < len; ++i) t += rng.below(20) == 0 ? '|' : char('a' + rng.below(uint64_t(k)));
        auto sa = suffix_array(t);
        REQUIRE(sa == naive_sa(t));
        auto f = longest_previous_factor(t, sa, '|');
        auto want = naive_lpf(t, '|');
        REQUIRE(f.length == want);
        for (size_t p = 0; p < t.size(); ++p) {
            if (f.length[p] == 0) {
                CHECK(f.source[p] == -1);
                continue;
            }
            REQUIRE(f.source[p] >= 0);
            REQUIRE(size_t(f.source[p]) < p);
            CHECK(t.compare(size_t(f.source[p]), size_t(f.length[p]), t, p, size_t(f.length[p])) == 0);
        }
    }
}

TEST_CASE("previous factors: header example") {
    std::string t = "abcab";
    auto f = longest_previous_factor(t, suffix_array(t), '\xff');
    CHECK(f.length == std::vector<int32_t>{0, 0, 0, 2, 1});
    CHECK(f.source[3] == 0);
    CHECK(f.source[4] == 1);
}

TEST_CASE("suffix array over int32 symbols: large alphabets, no terminator, bad symbols refused") {
    Rng rng(11);
    for (int iter = 0; iter < 200; ++iter) {
        const size_t len = 1 + rng.below(300);
        const int32_t alphabet = 1 + int32_t(rng.below(iter % 2 ? 3 : 5000)); // repeats, and symbols past a byte
        std::vector<int32_t> t(len);
        for (auto& s : t) s = int32_t(rng.below(uint64_t(alphabet)));
        std::vector<int32_t> want(len);
        std::iota(want.begin(), want.end(), 0);
        std::sort(want.begin(), want.end(), [&](int32_t a, int32_t b) {
            return std::lexicographical_compare(t.begin() + a, t.end(), t.begin() + b, t.end());
        });
        REQUIRE(suffix_array(std::span<const int32_t>(t), alphabet) == want);
    }
    const std::vector<int32_t> bad = {1, 2, 7};
    CHECK_THROWS(suffix_array(std::span<const int32_t>(bad), 7));
}
