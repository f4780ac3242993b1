#include "lmk/text/filters_c4.h"

#include "test_text_helpers.h"

#include <doctest/doctest.h>

using namespace lmk;
using lmk_test::join;

namespace {
// Three valid lines of one sentence each: the page passes by exactly the 3-sentence minimum.
const std::string kGood = "The first line has enough words.\nThe second line has enough words.\n"
                          "The third line has enough words.";

std::string clean(std::string text, Verdict* v = nullptr, C4LineCounts* lc = nullptr) {
    Verdict r = c4_filter(text, C4Params{}, lc);
    if (v) *v = r;
    return r ? "REJECT:" + r->reason : text;
}
} // namespace

TEST_CASE("c4: a clean page passes unchanged") {
    CHECK(clean(kGood) == kGood);
}

TEST_CASE("c4: sentence minimum 3 on each side") {
    CHECK(clean("The first line has enough words.\nThe second line has enough words.") == "REJECT:too_few_sentences");
    CHECK(clean("One line. It has three sentences here! Yes it does indeed.") ==
          "One line. It has three sentences here! Yes it does indeed.");
    CHECK(clean("") == "REJECT:too_few_sentences");
}

TEST_CASE("c4: lines are stripped, short and unterminated lines dropped") {
    C4LineCounts lc;
    std::string page = "  " + join({"Four words only here.", "Five words are just enough.", "No end mark on this line",
                                     "An ellipsis ends this line...", "A quoted line ends with \"a quote\"",
                                     "Is this a question line?", "What an exclamation line this is!",
                                     "   Indented line with five words.   "},
                                    "\n");
    CHECK(clean(page, nullptr, &lc) ==
          join({"Five words are just enough.", "A quoted line ends with \"a quote\"", "Is this a question line?",
                "What an exclamation line this is!", "Indented line with five words."},
               "\n"));
    CHECK(lc.too_short == 1);
    CHECK(lc.no_endmark == 2);
    CHECK(lc.valid == 5);
}

TEST_CASE("c4: word length limit 1000 chars") {
    std::string w1000(1000, 'x'), w1001(1001, 'x');
    C4LineCounts lc;
    CHECK(clean(kGood + "\nA " + w1000 + " word in this line.", nullptr, &lc) ==
          kGood + "\nA " + w1000 + " word in this line.");
    CHECK(clean(kGood + "\nA " + w1001 + " word in this line.", nullptr, &lc) == kGood);
    CHECK(lc.too_long_word == 1);
    // Length is in code points: 1000 two-byte characters still pass.
    std::string e1000;
    for (int i = 0; i < 1000; i++) e1000 += "\xc3\xa9";
    CHECK(clean(kGood + "\nA " + e1000 + " word in this line.") == kGood + "\nA " + e1000 + " word in this line.");
}

TEST_CASE("c4: citations are removed before the end-mark test") {
    CHECK(c4_remove_citations("Foo[1] bar[edit] baz[citation needed] q[12a] r[] s[\xd9\xa1]") ==
          "Foo bar baz q[12a] r s");
    CHECK(clean(kGood + "\nThis claim is cited in the text.[12]") == kGood + "\nThis claim is cited in the text.");
    // "Text. [1]" leaves a trailing space: no end mark, the line goes (as in TFDS).
    CHECK(clean(kGood + "\nThis claim is cited in the text. [12]") == kGood);
}

TEST_CASE("c4: page-level rejections") {
    CHECK(clean(kGood + "\nLorem Ipsum dolor sit amet, consectetur.") == "REJECT:lorem_ipsum");
    CHECK(clean(kGood + "\nThis line has a { curly bracket.") == "REJECT:curly_bracket");
    // A bracket on a line that is dropped first does not reject the page.
    CHECK(clean(kGood + "\n{ short.") == kGood);
}

TEST_CASE("c4: javascript and policy lines are dropped") {
    C4LineCounts lc;
    CHECK(clean(kGood + "\nPlease enable JavaScript to view this.\nRead our Privacy Policy before you go.\n"
                        "This site uses cookies for your comfort.\nBy continuing you accept the terms of use.",
                nullptr, &lc) == kGood);
    CHECK(lc.javascript == 1);
    CHECK(lc.policy == 3);
}

TEST_CASE("c4: page length limit 1.9e5 chars") {
    C4Params p;
    std::string ok = kGood + "\n" + std::string(190000 - kGood.size() - 1, 'x');
    std::string t = ok;
    CHECK_FALSE(c4_filter(t, p));
    t = ok + "x";
    auto v = c4_filter(t, p);
    REQUIRE(v);
    CHECK(v->reason == "too_long");
}
