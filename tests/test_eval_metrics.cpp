// Tests for eval/metrics.h against values computed with python3 (lm-eval's formulas).
#include "lmk/eval/metrics.h"

#include <doctest/doctest.h>

#include <cmath>

using namespace lmk;

TEST_CASE("mean stderr: sample stddev / sqrt(n)") {
    // python3: sample_stddev([1,0,1,1,0,0,1]) / sqrt(7) = 0.20203050891044214
    CHECK(mean_stderr({1, 0, 1, 1, 0, 0, 1}) == doctest::Approx(0.20203050891044214).epsilon(1e-15));
    CHECK(std::isnan(mean_stderr({1})));
}

TEST_CASE("perplexity bootstrap stderr equals lm-eval's (random.Random(i).choices)") {
    // python3, lm-eval's loop with iters = 3000 (3 chunks of 1000): 2.558067981757514
    std::vector<double> xs{-1.0, -2.5, -0.5, -3.0, -1.25};
    CHECK(perplexity_bootstrap_stderr(xs, 3000) == doctest::Approx(2.558067981757514).epsilon(1e-12));
    CHECK(perplexity_of(xs) == doctest::Approx(std::exp(1.65)));
}

TEST_CASE("choice metrics: acc, acc_norm by characters, acc_bytes by bytes, first index on ties") {
    // lls -6 vs -5: raw pred 1; per char: "ab"(2) -> -3, "naïve"(5 chars, 6 bytes) -> -1 -> pred 1
    ChoiceMetrics m = score_choices_metrics({-6, -5}, {"ab", "na\xc3\xafve"}, 0);
    CHECK(m.pred == 1);
    CHECK(m.acc == 0);
    ChoiceMetrics n = score_choices_metrics({-4, -10}, {"a", "bbbbbbbbbbbbbbbbbbbb"}, 1);
    CHECK(n.pred == 0);
    CHECK(n.pred_norm == 1); // -4/1 < -10/20
    CHECK(n.acc_norm == 1);
    CHECK(n.pred_bytes == 1);
    // bytes differ from characters: -5.5/5 chars = -1.1 vs -6/6 = -1.0 -> char pred 1;
    // by bytes -5.5/6 = -0.9167 vs -6/6 = -1.0 -> byte pred 0
    ChoiceMetrics b = score_choices_metrics({-5.5, -6}, {"na\xc3\xafve", "abcdef"}, 0);
    CHECK(b.pred_norm == 1);
    CHECK(b.pred_bytes == 0);
    CHECK(score_choices_metrics({-1, -1}, {"a", "b"}, 1).pred == 0);
}

TEST_CASE("exact match and SQuAD F1") {
    CHECK(exact_match("Paris", "Paris", false, false));
    CHECK_FALSE(exact_match("paris", "Paris", false, false));
    CHECK(exact_match("paris!", "Paris", true, true));
    CHECK(squad_normalize("The  Eiffel, tower!") == "eiffel tower");
    CHECK(token_f1("the eiffel tower in paris", "Eiffel Tower") == doctest::Approx(2 * 0.5 * 1 / 1.5));
    CHECK(token_f1("x", "y") == 0);
    CHECK(token_f1("", "") == 1);
}
