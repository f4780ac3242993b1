// Tests for eval/pyrandom.h: outputs equal CPython's random.Random (values printed by python3).
#include "lmk/eval/pyrandom.h"

#include <doctest/doctest.h>

using lmk::PyRandom;
using V = std::vector<size_t>;

TEST_CASE("PyRandom reproduces random.Random(1234).sample and getrandbits/random") {
    // random.Random(1234): sample(range(100),5), sample(range(10),3), sample(range(100000),7),
    // getrandbits(40), random()
    PyRandom r(1234);
    CHECK(r.sample(100, 5) == V{99, 56, 14, 0, 11});
    CHECK(r.sample(10, 3) == V{9, 0, 1});
    CHECK(r.sample(100000, 7) == V{12900, 46482, 31039, 2284, 4038, 2076, 45362}); // the set algorithm
    CHECK(r.getrandbits(40) == 685684296202ull);
    CHECK(r.random() == doctest::Approx(0.4842459158287621).epsilon(1e-16));
}

TEST_CASE("PyRandom: seed 0, choices, and seeds wider than 32 bits") {
    PyRandom r(0);
    CHECK(r.random() == 0.8444218515250481);
    CHECK(r.choices(7, 5) == V{5, 2, 1, 3, 2});
    PyRandom big((1ull << 40) + 5);
    CHECK(big.sample(50, 10) == V{32, 33, 17, 42, 1, 48, 2, 10, 5, 8});
    PyRandom s7(7);
    CHECK(s7.sample(40, 4) == V{20, 9, 25, 3});
    CHECK(s7.sample(40, 4) == V{4, 34, 6, 23});
}

TEST_CASE("PyRandom::sample refuses more than the population") {
    PyRandom r(1);
    CHECK_THROWS(r.sample(3, 4));
    CHECK(r.sample(3, 0).empty());
}
