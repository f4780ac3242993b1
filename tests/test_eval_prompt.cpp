// Tests for eval/prompt.h: prompts and few-shot order equal lm-evaluation-harness's.
// Expected strings are written by hand; the draws are random.Random(1234).sample(range(6), k+1)
// = [3, 0], [0, 5], [4, 0] (k = 1) and [3, 0, 4], [0, 4, 5], [5, 0, 4] (k = 2), from python3.
#include "lmk/eval/prompt.h"

#include <doctest/doctest.h>

using namespace lmk;

static Task toy_task(bool exclude) {
    Task t;
    t.config.name = "toy";
    t.config.fewshot_excludes_eval_doc = exclude;
    for (int i = 0; i < 6; i++) {
        Doc d;
        d.text = "Q" + std::to_string(i) + "\nA:";
        d.choices = {"no", "yes"};
        d.gold = i % 2;
        d.identity = "doc" + std::to_string(i);
        t.docs.push_back(d);
    }
    t.fewshot = t.docs;
    return t;
}

TEST_CASE("zero-shot prompt is the query alone; continuations carry the target delimiter") {
    Task t = toy_task(true);
    FewshotSampler s(t, 0, 1234);
    CHECK(fewshot_context(t.config, t.docs[0], s.next(t.docs[0])) == "Q0\nA:");
}

TEST_CASE("one-shot: sample(k+1) minus the evaluated doc, one generator across documents") {
    Task t = toy_task(true);
    FewshotSampler s(t, 1, 1234);
    // doc 0 draws [3, 0] -> 3; doc 1 draws [0, 5] -> 0; doc 2 draws [4, 0] -> 4
    CHECK(fewshot_context(t.config, t.docs[0], s.next(t.docs[0])) == "Q3\nA: yes\n\nQ0\nA:");
    CHECK(fewshot_context(t.config, t.docs[1], s.next(t.docs[1])) == "Q0\nA: no\n\nQ1\nA:");
    CHECK(fewshot_context(t.config, t.docs[2], s.next(t.docs[2])) == "Q4\nA: no\n\nQ2\nA:");
}

TEST_CASE("two-shot order, description, custom delimiters") {
    Task t = toy_task(true);
    t.config.description = "Answer yes or no.\n\n";
    t.config.fewshot_delimiter = "\n###\n";
    FewshotSampler s(t, 2, 1234);
    // doc 0: [3, 0, 4] -> 3, 4; doc 4: [0, 4, 5] -> 0, 5; doc 5: [5, 0, 4] -> 0, 4
    CHECK(fewshot_context(t.config, t.docs[0], s.next(t.docs[0])) ==
          "Answer yes or no.\n\nQ3\nA: yes\n###\nQ4\nA: no\n###\nQ0\nA:");
    CHECK(fewshot_context(t.config, t.docs[4], s.next(t.docs[4])) ==
          "Answer yes or no.\n\nQ0\nA: no\n###\nQ5\nA: yes\n###\nQ4\nA:");
    CHECK(fewshot_context(t.config, t.docs[5], s.next(t.docs[5])) ==
          "Answer yes or no.\n\nQ0\nA: no\n###\nQ4\nA: no\n###\nQ5\nA:");
}

TEST_CASE("without exclusion the sampler draws exactly k (lm-eval when fewshot_split != test_split)") {
    Task t = toy_task(false);
    FewshotSampler s(t, 2, 1234);
    // random.Random(1234).sample(range(6), 2) = [3, 0]: the evaluated doc 0 may appear
    CHECK(fewshot_context(t.config, t.docs[0], s.next(t.docs[0])) == "Q3\nA: yes\n\nQ0\nA: no\n\nQ0\nA:");
}

TEST_CASE("too small a pool is an error naming the task") {
    Task t = toy_task(true);
    CHECK_THROWS_WITH(FewshotSampler(t, 6, 1234), doctest::Contains("task toy: 6 shots need 7"));
}

TEST_CASE("trailing whitespace of the context moves to the continuation") {
    auto [c, k] = split_trailing_space("Answer: \n", "yes");
    CHECK(c == "Answer:");
    CHECK(k == " \nyes");
    auto [c2, k2] = split_trailing_space("x\xc2\xa0", " y"); // U+00A0 is Python whitespace
    CHECK(c2 == "x");
    CHECK(k2 == "\xc2\xa0 y");
    auto [c3, k3] = split_trailing_space("none", " y");
    CHECK(c3 == "none");
    CHECK(k3 == " y");
}
