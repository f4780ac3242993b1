// core/rng.h: seeded, splittable random numbers (xoshiro256** seeded through splitmix64).
//
// Every random choice in lmkit derives from the user's --seed: a component asks for its own
// stream with derive_seed(seed, stream_id) or rng.split(id), so adding a consumer never shifts
// another's numbers, and work split over threads draws from per-item streams (results do not
// depend on the thread count). The full state is four words, saved in checkpoints.
//
//   lmk::Rng rng(lmk::derive_seed(seed, lmk::stream_id("dropout")));
//   float u = rng.uniform();            // [0, 1)
//   uint64_t k = rng.below(n);          // [0, n), unbiased
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace lmk {

// splitmix64 finaliser: a bijective 64-bit mix.
inline uint64_t mix64(uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}
inline uint64_t derive_seed(uint64_t seed, uint64_t stream) { return mix64(mix64(seed) ^ mix64(stream + 0x632be59bd9b4e019ULL)); }
// A stable id for a named stream (FNV-1a of the name).
constexpr uint64_t stream_id(std::string_view name) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (char c : name) h = (h ^ uint8_t(c)) * 0x100000001b3ULL;
    return h;
}

class Rng {
public:
    explicit Rng(uint64_t seed = 0);
    uint64_t next_u64();
    uint32_t next_u32() { return uint32_t(next_u64() >> 32); }
    double uniform();        // [0, 1), 53 bits
    float uniform_f();       // [0, 1), 24 bits
    uint64_t below(uint64_t n); // [0, n), Lemire's unbiased method; n > 0
    double normal();         // standard normal (Box-Muller, no cached spare: state is 4 words)
    // out[0..n) = sd * standard normals, two per draw (Marsaglia's polar method: no
    // trigonometry, ~5x normal()'s rate; the values differ from normal()'s).
    void fill_normal(float* out, size_t n, double sd);
    Rng split(uint64_t stream) const; // an independent child stream; does not advance this one

    std::array<uint64_t, 4> state() const { return s_; }
    void set_state(const std::array<uint64_t, 4>& s) { s_ = s; }

private:
    std::array<uint64_t, 4> s_;
};

} // namespace lmk
