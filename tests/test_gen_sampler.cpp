// tests/test_gen_sampler.cpp: greedy, temperature, top-k, top-p, repetition penalty.
#include "lmk/core/error.h"
#include "lmk/gen/sampler.h"

#include <cmath>
#include <doctest/doctest.h>
#include <map>
#include <vector>

using namespace lmk;

TEST_CASE("greedy takes the arg-max, lowest id on ties") {
    std::vector<float> l = {0.5f, 2.0f, -1.0f, 2.0f};
    Sampler s({.temperature = 0.0f}, 1);
    CHECK(s.sample(l.data(), 4, {}) == 1);
}

TEST_CASE("top-k 1 equals greedy whatever the temperature") {
    std::vector<float> l = {0.1f, 0.3f, 3.0f, 0.2f};
    Sampler s({.temperature = 5.0f, .top_k = 1}, 7);
    for (int i = 0; i < 50; i++) CHECK(s.sample(l.data(), 4, {}) == 2);
}

TEST_CASE("same seed, same tokens; different seed, different tokens") {
    std::vector<float> l(100);
    for (int i = 0; i < 100; i++) l[size_t(i)] = float(std::sin(i * 0.37));
    auto draw = [&](uint64_t seed) {
        Sampler s({.temperature = 1.0f}, seed);
        std::vector<int32_t> out;
        for (int i = 0; i < 64; i++) out.push_back(s.sample(l.data(), 100, {}));
        return out;
    };
    CHECK(draw(3) == draw(3));
    CHECK(draw(3) != draw(4));
}

TEST_CASE("temperature sampling follows softmax(l / T)") {
    std::vector<float> l = {0.0f, 1.0f, 2.0f};
    const float T = 0.7f;
    Sampler s({.temperature = T}, 11);
    std::map<int, int> count;
    const int n = 60000;
    for (int i = 0; i < n; i++) count[s.sample(l.data(), 3, {})]++;
    double z = 0;
    for (float x : l) z += std::exp(x / T);
    for (int k = 0; k < 3; k++) {
        double p = std::exp(l[size_t(k)] / T) / z;
        double sd = std::sqrt(p * (1 - p) / n);
        CHECK(std::abs(double(count[k]) / n - p) < 5 * sd);
    }
}

TEST_CASE("top-p keeps the smallest set reaching p, including the crossing token") {
    // probabilities 0.5, 0.3, 0.15, 0.05 (logits = log p)
    std::vector<float> l = {std::log(0.15f), std::log(0.5f), std::log(0.05f), std::log(0.3f)};
    Sampler s({.temperature = 1.0f, .top_p = 0.7f}, 5);
    std::map<int, int> count;
    for (int i = 0; i < 20000; i++) count[s.sample(l.data(), 4, {})]++;
    // 0.5 < 0.7, 0.5 + 0.3 >= 0.7: ids 1 and 3 remain, renormalised to 5/8 and 3/8.
    CHECK(count.count(0) == 0);
    CHECK(count.count(2) == 0);
    CHECK(std::abs(count[1] / 20000.0 - 0.625) < 0.02);
    // p below the top token's probability still keeps that one token.
    Sampler t({.temperature = 1.0f, .top_p = 0.1f}, 5);
    for (int i = 0; i < 100; i++) CHECK(t.sample(l.data(), 4, {}) == 1);
}

TEST_CASE("repetition penalty divides positive and multiplies negative logits of seen tokens") {
    std::vector<float> l = {2.0f, 1.5f, -0.5f};
    std::vector<int32_t> ctx = {0, 0};
    Sampler s({.temperature = 0.0f, .repetition_penalty = 2.0f}, 1);
    CHECK(s.sample(l.data(), 3, ctx) == 1); // 2.0 / 2 = 1.0 < 1.5
    std::vector<float> neg = {-1.0f, -1.5f};
    std::vector<int32_t> c0 = {0};
    Sampler s2({.temperature = 0.0f, .repetition_penalty = 2.0f}, 1);
    CHECK(s2.sample(neg.data(), 2, c0) == 1); // -1 * 2 = -2 < -1.5
}

TEST_CASE("token_logprob and option validation") {
    std::vector<float> l = {1.0f, 2.0f, 3.0f};
    double z = std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0));
    CHECK(token_logprob(l.data(), 3, 2) == doctest::Approx(3.0 - z).epsilon(1e-12));
    // Flag values: usage errors (the tools exit 2), each naming its flag.
    CHECK_THROWS_AS(Sampler({.temperature = -1.0f}, 1), UsageError);
    CHECK_THROWS_WITH_AS(Sampler({.top_k = -1}, 1), doctest::Contains("--top-k"), UsageError);
    CHECK_THROWS_AS(Sampler({.top_p = 0.0f}, 1), UsageError);
    CHECK_THROWS_WITH_AS(Sampler({.top_p = 1.5f}, 1), doctest::Contains("--top-p"), UsageError);
    CHECK_THROWS_AS(Sampler({.repetition_penalty = 0.0f}, 1), UsageError);
    CHECK_NOTHROW(Sampler({.temperature = 0.0f, .top_k = 0, .top_p = 1.0f, .repetition_penalty = 1.0f}, 1));
}
