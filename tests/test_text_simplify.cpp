// Tests for text/simplify.h: exact outputs on tiny inputs, one per rule, plus idempotence.
#include "lmk/text/simplify.h"

#include "lmk/core/error.h"

#include <doctest/doctest.h>

using lmk::simplify_text;

TEST_CASE("simplify: datatrove rules") {
    CHECK(simplify_text("  Hello, WORLD!  Café 2023 ") == "hello world cafe 0");
    CHECK(simplify_text("in 2023, 17 of 3.5") == "in 0 0 of 0 0");
    CHECK(simplify_text("end.Start a/b") == "end start a b");
    CHECK(simplify_text("tab\there\nnew\r\nline") == "tab here new line");
    CHECK(simplify_text("") == "");
    CHECK(simplify_text(" \t\n ") == "");
    CHECK(simplify_text("!!!") == "");
}

TEST_CASE("simplify: unicode") {
    // Accents: NFD then nonspacing marks dropped, both precomposed and decomposed input.
    CHECK(simplify_text("Ça Été ÑANDÚ") == "ca ete nandu");
    CHECK(simplify_text("e\xCC\x81t\xC3\xA9") == "ete");           // e + U+0301, é
    // Non-ASCII digits (Arabic-Indic) and a full-width digit run become one 0.
    CHECK(simplify_text("\xD9\xA1\xD9\xA2 \xEF\xBC\x91\xEF\xBC\x92") == "0 0");
    // CJK punctuation and full-width comma are spaces; CJK text stays.
    CHECK(simplify_text("中文，文本。") == "中文 文本");
    // Greek lowercases; Cyrillic Й loses its breve (U+0439 = и + U+0306, a nonspacing mark).
    CHECK(simplify_text("ΑΘΗΝΑ") == "αθηνα");
    CHECK(simplify_text("Й") == "и");
    // Hangul stays composed; symbols and the replacement character become spaces.
    CHECK(simplify_text("한국어 ©2020 ►x") == "한국어 0 x");
    CHECK(simplify_text("a\xFF" "b") == "a b");                       // invalid byte
    // Soft hyphen and zero-width space vanish (category Cf) instead of splitting a word.
    CHECK(simplify_text("co\xC2\xADop\xE2\x80\x8B" "eration") == "cooperation");
    // Spacing marks (Mc, Tamil vowel sign) are kept.
    CHECK(simplify_text("\xE0\xAE\x95\xE0\xAE\xBE") == "\xE0\xAE\x95\xE0\xAE\xBE");
}

TEST_CASE("simplify: idempotent") {
    const char* samples[] = {"  Hello, WORLD!  Café 2023 ", "a1b2 3 ,4", "ÀÉÎÕÜ  ß ẞ", "x\xCC\x81\xCC\x82 9\xCC\x81" "9"};
    for (const char* s : samples) {
        std::string once = simplify_text(s);
        CHECK(simplify_text(once) == once);
    }
    // A combining mark inside a digit run does not split it.
    CHECK(simplify_text("1\xCC\x81" "2") == "0");
}

TEST_CASE("simplify: steps") {
    using lmk::parse_simplify_steps;
    CHECK(simplify_text("A, B  1", parse_simplify_steps("none")) == "A, B  1");
    CHECK(simplify_text(" A, B  12 ", parse_simplify_steps("space")) == "A, B 12");
    CHECK(simplify_text("A, B  12", parse_simplify_steps("lower,digits")) == "a, b  0");
    CHECK(simplify_text("Café!", parse_simplify_steps("accents")) == "Cafe!");
    CHECK(simplify_text("Café!", parse_simplify_steps("all")) == "cafe");
    CHECK_THROWS_AS(parse_simplify_steps("lower,bogus"), lmk::Error);
}
