// eval/pyrandom.h: CPython's `random.Random`, bit for bit, for lm-evaluation-harness parity.
//
// lm-evaluation-harness draws few-shot examples with random.Random(1234).sample(pool, k) and
// bootstraps perplexity stderrs with random.Random(i).choices(xs, k=len(xs)). Matching its
// prompts and stderrs exactly therefore needs Python's generator, not ours: this is the
// MT19937 Mersenne Twister seeded as CPython's random_seed() does (init_by_array over the
// 32-bit words of |seed|, little-endian), with getrandbits(), _randbelow_with_getrandbits(),
// random() (53-bit, genrand_res53), sample() (both the pool and the set algorithms, switching
// at the same set size) and choices() (floor(random() * n)).
//
// Invariant: for every seed and call sequence the outputs equal CPython 3.x's (tested against
// values printed by python3).
//
//   lmk::PyRandom r(1234);
//   std::vector<size_t> picks = r.sample(100, 5);  // == random.Random(1234).sample(range(100), 5)
//   double u = r.random();
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace lmk {

class PyRandom {
public:
    explicit PyRandom(uint64_t seed = 0) { seed_u64(seed); }
    void seed_u64(uint64_t seed);

    uint32_t genrand_u32();
    uint64_t getrandbits(int k);          // 0 < k <= 64
    uint64_t randbelow(uint64_t n);       // [0, n), n > 0
    double random();                      // [0, 1), 53 bits
    // random.sample(range(n), k): k distinct indices in selection order. Throws lmk::Error
    // when k > n (Python's "Sample larger than population").
    std::vector<size_t> sample(size_t n, size_t k);
    // random.choices(range(n), k=k) without weights.
    std::vector<size_t> choices(size_t n, size_t k);

private:
    void init_genrand(uint32_t s);
    void init_by_array(const uint32_t* key, size_t len);
    std::array<uint32_t, 624> mt_{};
    int mti_ = 625;
};

} // namespace lmk
