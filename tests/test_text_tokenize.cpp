#include "lmk/text/tokenize.h"

#include <doctest/doctest.h>
#include <string>
#include <vector>

using namespace lmk;
using V = std::vector<std::string_view>;

TEST_CASE("word_tokenize: Treebank-style splitting") {
    CHECK(word_tokenize("Don't stop, J. Smith said.") == V{"Do", "n't", "stop", ",", "J.", "Smith", "said", "."});
    CHECK(word_tokenize("\"Hi!\" (she) paid $5, 1,000 at 10:30; e.g. U.S. ok") ==
          V{"\"", "Hi", "!", "\"", "(", "she", ")", "paid", "$", "5", ",", "1,000", "at", "10:30", ";", "e.g.", "U.S.",
            "ok"});
    CHECK(word_tokenize("wait... what\u2026 a--b") == V{"wait", "...", "what", "\u2026", "a", "--", "b"});
    CHECK(word_tokenize("They'll we're I'm it's") == V{"They", "'ll", "we", "'re", "I", "'m", "it", "'s"});
    CHECK(word_tokenize("#tag @user 50%") == V{"#", "tag", "@", "user", "50", "%"});
    CHECK(word_tokenize("").empty());
    CHECK(word_tokenize("Mr. Smith.") == V{"Mr.", "Smith", "."});
}

TEST_CASE("sentence_count: Punkt-style ends, abbreviations kept") {
    CHECK(sentence_count("") == 0);
    CHECK(sentence_count("   ") == 0);
    CHECK(sentence_count("one sentence without an end") == 1);
    CHECK(sentence_count("It works. Mr. Smith agrees! Fine") == 3);
    CHECK(sentence_count("See e.g. this. And J. Doe. Then 3. items.") == 3);
    CHECK(sentence_count("Really?! Yes. \"Quoted.\" Next") == 4);
    CHECK(sentence_count("No space.after the period.") == 1);
}

TEST_CASE("punctuation sets are datatrove's") {
    CHECK(is_punctuation('#'));
    CHECK(is_punctuation(0x2026));
    CHECK(is_punctuation(0x3002));
    CHECK(is_punctuation(0x01));
    CHECK_FALSE(is_punctuation('\t'));
    CHECK_FALSE(is_punctuation('a'));
    CHECK(is_terminal_punctuation('.'));
    CHECK(is_terminal_punctuation(0x3002));
    CHECK(is_terminal_punctuation(0x061F));
    CHECK_FALSE(is_terminal_punctuation('"'));
    CHECK_FALSE(is_terminal_punctuation(','));
    CHECK(all_punctuation("...!"));
    CHECK_FALSE(all_punctuation("a."));
}
