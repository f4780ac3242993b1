#include "lmk/text/filters_gopher.h"

#include "test_text_helpers.h"

#include <doctest/doctest.h>

using namespace lmk;
using lmk_test::join;
using lmk_test::repeat;
using lmk_test::uw;

namespace {
std::string quality(const std::string& t, const GopherQualityParams& p = {}) {
    auto v = gopher_quality_filter(t, p);
    return v ? v->reason : "keep";
}
std::string repetition(const std::string& t) {
    auto v = gopher_repetition_filter(t, GopherRepetitionParams{});
    return v ? v->reason : "keep";
}
// n words of 4 letters plus "the and": n + 2 words.
std::string words(int n, const std::string& w = "word") { return repeat(w, n) + " the and"; }
} // namespace

TEST_CASE("gopher-quality: word count 50 .. 100000") {
    CHECK(quality(words(48)) == "keep");           // 50 words
    CHECK(quality(words(47)) == "gopher_short_doc"); // 49
    CHECK(quality(words(99998)) == "keep");        // 100000
    CHECK(quality(words(99999)) == "gopher_long_doc");
    // Punctuation tokens are not words for the count.
    CHECK(quality(words(47) + " . , !") == "gopher_short_doc");
}

TEST_CASE("gopher-quality: mean word length 3 .. 10") {
    CHECK(quality(words(48, "abc")) == "keep");                        // exactly 3.0
    CHECK(quality(words(48, "ab")) == "gopher_below_avg_threshold"); // 2.04
    GopherQualityParams p;
    p.min_stop_words = 0;
    CHECK(quality(repeat("abcdefghij", 50), p) == "keep");            // exactly 10.0
    CHECK(quality(repeat("abcdefghijk", 50), p) == "gopher_above_avg_threshold");
}

TEST_CASE("gopher-quality: # and ellipsis at most 0.1 per word") {
    // 50 words + k symbol tokens: ratio k / (50 + k).
    CHECK(quality(words(48) + repeat(" #", 5, "")) == "keep");                   // 5/55
    CHECK(quality(words(48) + repeat(" #", 6, "")) == "gopher_too_many_hashes"); // 6/56
    CHECK(quality(words(48) + repeat(" ...", 5, "") + " end") == "keep");
    CHECK(quality(words(48) + repeat(" \u2026", 6, "")) == "gopher_too_many_ellipsis");
}

TEST_CASE("gopher-quality: bullet lines at most 90%, ellipsis-ended lines at most 30%") {
    std::vector<std::string> lines;
    for (int i = 0; i < 10; i++) lines.push_back("word word word word word the and");
    auto with_bullets = [&](int n, const char* b) {
        auto l = lines;
        for (int i = 0; i < n; i++) l[size_t(i)] = std::string(b) + l[size_t(i)];
        return join(l, "\n");
    };
    CHECK(quality(with_bullets(9, "  - ")) == "keep"); // 0.9
    CHECK(quality(with_bullets(10, "\u2022 ")) == "gopher_too_many_bullets");
    auto with_ellipsis = [&](int n) {
        auto l = lines;
        for (int i = 0; i < n; i++) l[size_t(i)] += "...  ";
        return join(l, "\n");
    };
    CHECK(quality(with_ellipsis(3)) == "keep"); // 0.3
    CHECK(quality(with_ellipsis(4)) == "gopher_too_many_end_ellipsis");
}

TEST_CASE("gopher-quality: at least 80% of words alphabetic") {
    CHECK(quality(words(50) + repeat(" 123", 13, "")) == "keep");                         // 52/65 = 0.8
    CHECK(quality(words(50) + repeat(" 123", 14, "")) == "gopher_below_alpha_threshold"); // 52/66
}

TEST_CASE("gopher-quality: at least 2 distinct stop words") {
    CHECK(quality(repeat("word", 50) + " the the") == "gopher_enough_stop_words");
    CHECK(quality(repeat("word", 50) + " The And") == "gopher_enough_stop_words"); // case-sensitive
    CHECK(quality(repeat("word", 50) + " of with") == "keep");
}

TEST_CASE("gopher-repetition: measures") {
    std::vector<std::string_view> items = {"a", "bb", "a", "bb", "bb", "c"};
    auto d = find_duplicates(items);
    CHECK(d.elements == 3);
    CHECK(d.chars == 5);
    std::vector<std::string_view> w = {"x", "y", "x", "y", "zz", "y", "zz", "y"};
    CHECK(top_ngram_chars(w, 2) == 3 * 2); // "x y" seen first among the 2-count n-grams
    CHECK(top_ngram_chars(w, 9) == 0);
    std::vector<std::string_view> w2 = {"a", "b", "a", "b", "a", "b"};
    CHECK(duplicate_ngram_chars(w2, 2) == 4); // "ab" at 2 (+2, jump), "ab" at 4 (+2)
    std::vector<std::string_view> w3 = {"ab", "c", "a", "bc"};
    CHECK(duplicate_ngram_chars(w3, 2) == 3); // words joined without a separator: "ab"+"c" == "a"+"bc"
}

TEST_CASE("gopher-repetition: duplicate paragraphs and lines by count, 0.3") {
    auto build = [](int unique, int copies, const std::string& sep) {
        std::vector<std::string> p;
        for (int i = 0; i < unique; i++) {
            std::vector<std::string> ws;
            for (int j = 0; j < 20; j++) ws.push_back(uw(100 * i + j));
            p.push_back(join(ws, " "));
        }
        for (int i = 0; i < copies; i++) p.push_back("x");
        return join(p, sep);
    };
    CHECK(repetition(build(6, 4, "\n\n")) == "keep"); // 3 of 10
    CHECK(repetition(build(6, 5, "\n\n")) == "dup_para_frac");
    CHECK(repetition(build(6, 4, "\n")) == "keep");
    CHECK(repetition(build(6, 5, "\n")) == "dup_line_frac");
}

TEST_CASE("gopher-repetition: duplicate paragraph and line chars, 0.2") {
    auto build = [](int k, const std::string& sep) {
        std::vector<std::string> p;
        for (int i = 0; i < 8; i++) {
            std::vector<std::string> ws;
            for (int j = 0; j < 20; j++) ws.push_back(uw(100 * i + j));
            p.push_back(join(ws, " "));
        }
        p.push_back(std::string(size_t(k), 'z'));
        p.push_back(std::string(size_t(k), 'z'));
        return join(p, sep);
    };
    CHECK(repetition(build(216, "\n\n")) == "keep");
    CHECK(repetition(build(217, "\n\n")) == "dup_para_char_frac");
    CHECK(repetition(build(213, "\n")) == "keep");
    CHECK(repetition(build(214, "\n")) == "dup_line_char_frac");
}

TEST_CASE("gopher-repetition: top 2/3/4-gram char fractions") {
    // r times: the repeated n words, then p distinct words.
    auto build = [](int n, int p) {
        std::vector<std::string> ws;
        const char* base[] = {"ab", "cd", "ef", "gh"};
        int c = 0;
        for (int r = 0; r < 10; r++) {
            for (int k = 0; k < n; k++) ws.push_back(base[k]);
            for (int j = 0; j < p; j++) ws.push_back(uw(c++));
        }
        return join(ws, " ");
    };
    CHECK(repetition(build(2, 4)) == "top_2_gram"); // 0.228
    CHECK(repetition(build(2, 5)) == "keep");       // 0.193
    CHECK(repetition(build(3, 8)) == "top_3_gram");
    CHECK(repetition(build(3, 9)) == "keep");
    CHECK(repetition(build(4, 14)) == "top_4_gram");
    CHECK(repetition(build(4, 15)) == "keep");
}

TEST_CASE("gopher-repetition: duplicated 5-gram chars, 0.15") {
    // Five long words repeated 6 times, each time followed by `pad` distinct words.
    auto build = [](int pad) {
        std::vector<std::string> ws;
        int c = 0;
        for (int r = 0; r < 6; r++) {
            for (int k = 0; k < 5; k++) ws.push_back(std::string(8, 'q') + char('a' + k));
            for (int j = 0; j < pad; j++) ws.push_back(uw(c++));
        }
        return join(ws, " ");
    };
    CHECK(repetition(build(50)) == "duplicated_5_n_grams"); // 0.1501
    CHECK(repetition(build(51)) == "keep");
    CHECK(repetition("") == "empty");
}
