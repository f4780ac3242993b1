// Tests for core/rng: determinism, stream independence, ranges.
#include "lmk/core/rng.h"

#include <doctest/doctest.h>
#include <cmath>
#include <set>
#include <vector>

using namespace lmk;

TEST_CASE("rng: same seed, same sequence; state round-trips") {
    Rng a(42), b(42), c(43);
    uint64_t x = a.next_u64();
    CHECK(x == b.next_u64());
    CHECK(x != c.next_u64());
    auto st = a.state();
    uint64_t next = a.next_u64();
    Rng d(0);
    d.set_state(st);
    CHECK(d.next_u64() == next);
}

TEST_CASE("rng: xoshiro256** reference value") {
    // State {1,2,3,4}: the first output of xoshiro256** is rotl(2*5,7)*9 = 11520.
    Rng r(0);
    r.set_state({1, 2, 3, 4});
    CHECK(r.next_u64() == 11520u);
}

TEST_CASE("rng: ranges and derived streams") {
    Rng r(7);
    std::set<uint64_t> seen;
    for (int i = 0; i < 10000; i++) {
        uint64_t k = r.below(10);
        CHECK(k < 10);
        seen.insert(k);
        double u = r.uniform();
        CHECK((u >= 0.0 && u < 1.0));
    }
    CHECK(seen.size() == 10);
    CHECK(derive_seed(1, 2) != derive_seed(1, 3));
    CHECK(derive_seed(1, 2) == derive_seed(1, 2));
    CHECK(stream_id("dropout") != stream_id("data"));
    double sum = 0, sq = 0;
    for (int i = 0; i < 20000; i++) {
        double z = r.normal();
        sum += z;
        sq += z * z;
    }
    CHECK(std::abs(sum / 20000) < 0.05);
    CHECK(std::abs(sq / 20000 - 1.0) < 0.05);
}

TEST_CASE("rng: fill_normal is a scaled standard normal, reproducible, odd lengths included") {
    const size_t n = 1000000;
    const double sd = 2.0;
    std::vector<float> z(n);
    Rng r(11);
    r.fill_normal(z.data(), n, sd);
    double sum = 0, sq = 0;
    size_t below_m1 = 0, below_half = 0, beyond_2 = 0, beyond_3 = 0;
    for (float v : z) {
        const double x = v / sd;
        sum += x, sq += x * x;
        below_m1 += x < -1.0, below_half += x < 0.5;
        beyond_2 += std::abs(x) > 2.0, beyond_3 += std::abs(x) > 3.0;
    }
    // Each bound is about five standard errors of its estimate at n = 1e6.
    CHECK(std::abs(sum / n) < 0.005);
    CHECK(std::abs(sq / n - 1.0) < 0.007);
    CHECK(std::abs(double(below_m1) / n - 0.158655) < 0.0019);  // Phi(-1)
    CHECK(std::abs(double(below_half) / n - 0.691462) < 0.0024); // Phi(0.5)
    CHECK(std::abs(double(beyond_2) / n - 0.045500) < 0.0011);   // 2 (1 - Phi(2))
    CHECK(std::abs(double(beyond_3) / n - 0.002700) < 0.00026);  // 2 (1 - Phi(3))
    // Consecutive values are independent: no correlation between the pair a draw gives.
    double cross = 0;
    for (size_t i = 0; i + 1 < n; i += 2) cross += double(z[i]) * z[i + 1] / (sd * sd);
    CHECK(std::abs(cross / (n / 2)) < 0.008);

    std::vector<float> a(7), b(6);
    Rng ra(5), rb(5);
    ra.fill_normal(a.data(), a.size(), 1.0);
    rb.fill_normal(b.data(), b.size(), 1.0);
    for (size_t i = 0; i < b.size(); i++) CHECK(a[i] == b[i]);
    CHECK(a[6] != 0.0f);
}
