// eval/pyrandom.cpp: CPython's Mersenne Twister and the random.Random methods lm-eval uses
// (see pyrandom.h). The constants and seeding are MT19937's reference ones, which CPython
// uses unchanged (Modules/_randommodule.c).
#include "lmk/eval/pyrandom.h"
#include "lmk/core/error.h"

#include <cmath>
#include <unordered_set>

namespace lmk {

void PyRandom::init_genrand(uint32_t s) {
    mt_[0] = s;
    for (int i = 1; i < 624; i++) mt_[i] = 1812433253u * (mt_[i - 1] ^ (mt_[i - 1] >> 30)) + uint32_t(i);
    mti_ = 624;
}

void PyRandom::init_by_array(const uint32_t* key, size_t len) {
    init_genrand(19650218u);
    size_t i = 1, j = 0;
    for (size_t k = 624 > len ? 624 : len; k; k--) {
        mt_[i] = (mt_[i] ^ ((mt_[i - 1] ^ (mt_[i - 1] >> 30)) * 1664525u)) + key[j] + uint32_t(j);
        i++;
        j++;
        if (i >= 624) {
            mt_[0] = mt_[623];
            i = 1;
        }
        if (j >= len) j = 0;
    }
    for (size_t k = 623; k; k--) {
        mt_[i] = (mt_[i] ^ ((mt_[i - 1] ^ (mt_[i - 1] >> 30)) * 1566083941u)) - uint32_t(i);
        i++;
        if (i >= 624) {
            mt_[0] = mt_[623];
            i = 1;
        }
    }
    mt_[0] = 0x80000000u; // MSB is 1, assuring a non-zero initial array
}

void PyRandom::seed_u64(uint64_t seed) {
    // CPython: the key is |seed| as 32-bit words, least significant first; 0 gives [0].
    uint32_t key[2] = {uint32_t(seed), uint32_t(seed >> 32)};
    init_by_array(key, key[1] ? 2 : 1);
}

uint32_t PyRandom::genrand_u32() {
    static const uint32_t mag01[2] = {0u, 0x9908b0dfu};
    uint32_t y;
    if (mti_ >= 624) {
        int kk = 0;
        for (; kk < 624 - 397; kk++) {
            y = (mt_[kk] & 0x80000000u) | (mt_[kk + 1] & 0x7fffffffu);
            mt_[kk] = mt_[kk + 397] ^ (y >> 1) ^ mag01[y & 1u];
        }
        for (; kk < 623; kk++) {
            y = (mt_[kk] & 0x80000000u) | (mt_[kk + 1] & 0x7fffffffu);
            mt_[kk] = mt_[kk + (397 - 624)] ^ (y >> 1) ^ mag01[y & 1u];
        }
        y = (mt_[623] & 0x80000000u) | (mt_[0] & 0x7fffffffu);
        mt_[623] = mt_[396] ^ (y >> 1) ^ mag01[y & 1u];
        mti_ = 0;
    }
    y = mt_[mti_++];
    y ^= (y >> 11);
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= (y >> 18);
    return y;
}

uint64_t PyRandom::getrandbits(int k) {
    LMK_CHECK(k > 0 && k <= 64, "getrandbits: k = {} outside [1, 64]", k);
    if (k <= 32) return genrand_u32() >> (32 - k);
    // CPython fills 32-bit words from the least significant end; the last word keeps its
    // top (k mod 32) bits.
    uint64_t lo = genrand_u32();
    uint64_t hi = genrand_u32() >> (64 - k);
    return lo | (hi << 32);
}

uint64_t PyRandom::randbelow(uint64_t n) {
    LMK_CHECK(n > 0, "randbelow: empty range");
    int k = 64 - __builtin_clzll(n); // n.bit_length()
    uint64_t r = getrandbits(k);
    while (r >= n) r = getrandbits(k);
    return r;
}

double PyRandom::random() {
    uint32_t a = genrand_u32() >> 5, b = genrand_u32() >> 6;
    return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0);
}

std::vector<size_t> PyRandom::sample(size_t n, size_t k) {
    if (k > n) fail("Sample larger than population or is negative ({} from {})", k, n);
    std::vector<size_t> result(k);
    // CPython picks the algorithm by comparing the population to a set's memory size.
    size_t setsize = 21;
    if (k > 5) setsize += size_t(std::pow(4.0, std::ceil(std::log(double(k) * 3.0) / std::log(4.0))));
    if (n <= setsize) {
        std::vector<size_t> pool(n);
        for (size_t i = 0; i < n; i++) pool[i] = i;
        for (size_t i = 0; i < k; i++) {
            size_t j = size_t(randbelow(n - i));
            result[i] = pool[j];
            pool[j] = pool[n - i - 1];
        }
    } else {
        std::unordered_set<size_t> selected;
        for (size_t i = 0; i < k; i++) {
            size_t j = size_t(randbelow(n));
            while (selected.count(j)) j = size_t(randbelow(n));
            selected.insert(j);
            result[i] = j;
        }
    }
    return result;
}

std::vector<size_t> PyRandom::choices(size_t n, size_t k) {
    std::vector<size_t> out(k);
    const double dn = double(n);
    for (size_t i = 0; i < k; i++) out[i] = size_t(std::floor(random() * dn));
    return out;
}

} // namespace lmk
