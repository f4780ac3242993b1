// core/rng.cpp: xoshiro256** (Blackman & Vigna), state filled by splitmix64.
#include "lmk/core/rng.h"

#include <cmath>

namespace lmk {

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

Rng::Rng(uint64_t seed) {
    uint64_t x = seed;
    for (auto& w : s_) {
        x += 0x9e3779b97f4a7c15ULL;
        uint64_t z = x;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        w = z ^ (z >> 31);
    }
}

uint64_t Rng::next_u64() {
    uint64_t result = rotl(s_[1] * 5, 7) * 9;
    uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
}

double Rng::uniform() { return double(next_u64() >> 11) * 0x1.0p-53; }
float Rng::uniform_f() { return float(next_u64() >> 40) * 0x1.0p-24f; }

uint64_t Rng::below(uint64_t n) {
    // Lemire: multiply-shift with rejection of the biased low region.
    unsigned __int128 m = (unsigned __int128)next_u64() * n;
    uint64_t low = uint64_t(m);
    if (low < n) {
        uint64_t threshold = -n % n;
        while (low < threshold) {
            m = (unsigned __int128)next_u64() * n;
            low = uint64_t(m);
        }
    }
    return uint64_t(m >> 64);
}

double Rng::normal() {
    double u1 = uniform(), u2 = uniform();
    if (u1 < 1e-300) u1 = 1e-300;
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

void Rng::fill_normal(float* out, size_t n, double sd) {
    for (size_t i = 0; i < n; i += 2) {
        double u, v, s;
        do { // a point uniform in the unit disc, not its centre (21% of draws rejected)
            u = 2.0 * uniform() - 1.0;
            v = 2.0 * uniform() - 1.0;
            s = u * u + v * v;
        } while (s >= 1.0 || s == 0.0);
        const double f = sd * std::sqrt(-2.0 * std::log(s) / s);
        out[i] = float(u * f);
        if (i + 1 < n) out[i + 1] = float(v * f);
    }
}

Rng Rng::split(uint64_t stream) const { return Rng(derive_seed(s_[0] ^ rotl(s_[2], 23), stream)); }

} // namespace lmk
