// Tests for tok/pretokenize.h and tok/unicode.h: the GPT-2, cl100k and o200k split rules on
// hand-checked inputs (each expected split derived from the regex by hand), White_Space edge
// cases, linear time. (Whole-corpus parity with tiktoken: tests/scripts/tok_tiktoken_parity.sh.)
#include "lmk/tok/pretokenize.h"
#include "lmk/tok/unicode.h"

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

using namespace lmk::tok;

static std::vector<std::string> split(std::string_view s, SplitRule rule = SplitRule::gpt2) {
    std::vector<Span> sp;
    split_with(rule, s, sp);
    std::vector<std::string> out;
    size_t expect = 0;
    for (auto x : sp) {
        CHECK(x.begin == expect); // pieces tile the input
        expect = x.begin + x.len;
        out.emplace_back(s.substr(x.begin, x.len));
    }
    CHECK(expect == s.size());
    return out;
}

using V = std::vector<std::string>;

TEST_CASE("gpt2_split: the regex's alternatives") {
    CHECK(split("Hello world's") == V{"Hello", " world", "'s"});
    CHECK(split("they're we've I'm he'll I'd it't") ==
          V{"they", "'re", " we", "'ve", " I", "'m", " he", "'ll", " I", "'d", " it", "'t"});
    CHECK(split("I'M") == V{"I", "'", "M"});            // contractions are case-sensitive
    CHECK(split(" 's") == V{" '", "s"});                // no space before a contraction
    CHECK(split("123abc") == V{"123", "abc"});
    CHECK(split("hi!!! ok") == V{"hi", "!!!", " ok"});
    CHECK(split("!!'s") == V{"!!'", "s"});              // the punctuation run is greedy
    CHECK(split("") == V{});
}

TEST_CASE("gpt2_split: whitespace look-ahead") {
    CHECK(split("a  b") == V{"a", " ", " b"});
    CHECK(split("a\n\nb") == V{"a", "\n", "\n", "b"});
    CHECK(split("x   ") == V{"x", "   "});
    CHECK(split("  x") == V{" ", " x"});
    CHECK(split("\n") == V{"\n"});
    CHECK(split("a \n b") == V{"a", " \n", " b"});
    CHECK(split("a\t\tb") == V{"a", "\t", "\t", "b"});
}

TEST_CASE("gpt2_split: Unicode classes follow White_Space, L and N") {
    // NBSP, U+0085, U+2028 and U+3000 are White_Space.
    CHECK(split("a\u00A0b") == V{"a", "\u00A0", "b"});
    CHECK(split(" \u00A0x") == V{" ", "\u00A0", "x"});
    CHECK(split("a\u3000\u3000b") == V{"a", "\u3000", "\u3000", "b"});
    CHECK(split("a\u2028") == V{"a", "\u2028"});
    CHECK(split("a\xC2\x85" "b") == V{"a", "\xC2\x85", "b"});
    // U+001C..U+001F are not White_Space (Python's isspace disagrees); ZWSP and BOM are Cf.
    CHECK(split("a\x1c\x1d b") == V{"a", "\x1c\x1d", " b"});
    CHECK(split("\uFEFFhi") == V{"\uFEFF", "hi"});
    CHECK(split("a\u200Bb") == V{"a", "\u200B", "b"});
    // Digits of other scripts are \p{N}; combining marks are not \p{L}.
    CHECK(split("x \u0663\u0664") == V{"x", " \u0663\u0664"});
    CHECK(split("e\u0301t\u00e9") == V{"e", "\u0301", "t\u00e9"});
    CHECK(split("\u4f60\u597d\u3002") == V{"\u4f60\u597d", "\u3002"});
    // An emoji ZWJ sequence is one run of "other" characters.
    CHECK(split(" \U0001F468\u200D\U0001F469") == V{" \U0001F468\u200D\U0001F469"});
    // Invalid bytes: one "other" character each.
    CHECK(split("\xFF\xFE" "ab") == V{"\xFF\xFE", "ab"});
}

TEST_CASE("char classes") {
    CHECK(is_space(0x85));
    CHECK(is_space(0x202F));
    CHECK_FALSE(is_space(0x1C));
    CHECK_FALSE(is_space(0x200B));
    CHECK_FALSE(is_space(0x180E)); // left White_Space in Unicode 6.3
    CHECK(is_letter(0x4E00));
    CHECK(is_number(0x2460));      // circled digit one: No
    CHECK(is_number(0x16EE));      // runic arlaug symbol: Nl
    CHECK(is_letter(0x1D400));     // mathematical bold A (outside the BMP)
}

TEST_CASE("cl100k_split: the regex's alternatives") {
    auto cl = [](std::string_view s) { return split(s, SplitRule::cl100k); };
    CHECK(cl("Hello world's") == V{"Hello", " world", "'s"});
    CHECK(cl("I'M DON'T") == V{"I", "'M", " DON", "'T"});        // contractions ignore case
    CHECK(cl("it\xC5\xBF x'\xC5\xBF") == V{"it\xC5\xBF", " x", "'\xC5\xBF"}); // (?i)s matches U+017F
    CHECK(cl("(hello) 12345") == V{"(hello", ")", " ", "123", "45"}); // one non-letter joins a word
    CHECK(cl("\thello") == V{"\thello"});
    CHECK(cl("a\n  \n b") == V{"a", "\n  \n", " b"});            // through the last newline
    CHECK(cl("x!!\n\ny") == V{"x", "!!\n\n", "y"});
    CHECK(cl("x?\n/") == V{"x", "?\n", "/"});
    CHECK(cl("x  \t") == V{"x", "  \t"});
    CHECK(cl("a  b") == V{"a", " ", " b"});
    CHECK(cl("HelloWorld") == V{"HelloWorld"});
    CHECK(cl("") == V{});
}

TEST_CASE("o200k_split: case runs, contractions, the / tail") {
    auto o2 = [](std::string_view s) { return split(s, SplitRule::o200k); };
    CHECK(o2("HelloWorld") == V{"Hello", "World"});
    CHECK(o2("XMLHttpRequest") == V{"XMLHttp", "Request"});      // upper* then lower+
    CHECK(o2("ABC def") == V{"ABC", " def"});                     // upper+ with no lower
    CHECK(o2("don't DON'T") == V{"don't", " DON'T"});             // contraction stays on the word
    CHECK(o2("x?\n/") == V{"x", "?\n/"});
    CHECK(o2("a/b") == V{"a", "/b"});
    CHECK(o2("12345") == V{"123", "45"});
    CHECK(o2("a\n  \n b") == V{"a", "\n  \n", " b"});
    // U+02B0 (Lm) is both "upper" and "lower": after an upper run it can end a word alone.
    CHECK(o2("A\xCA\xB0" "B") == V{"A\xCA\xB0", "B"});
    CHECK(o2("") == V{});
}

TEST_CASE("split rules by pattern") {
    for (SplitRule r : {SplitRule::gpt2, SplitRule::cl100k, SplitRule::o200k})
        CHECK(split_rule_from_pattern(split_rule_pattern(r)) == r);
    CHECK(split_rule_from_pattern(R"('(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]++[\r\n]*|\s*[\r\n]|\s+(?!\S)|\s+)") ==
          SplitRule::cl100k);
    CHECK_FALSE(split_rule_from_pattern("\\w+|\\s+").has_value());
}

TEST_CASE("split rules are linear on pathological inputs") {
    for (SplitRule r : {SplitRule::gpt2, SplitRule::cl100k, SplitRule::o200k})
        for (std::string s : {std::string(1000000, 'a'), std::string(1000000, ' '), std::string(1000000, '!'),
                              std::string(500000, '\n') + "x", std::string(1000000, 'A')}) {
            auto t0 = std::chrono::steady_clock::now();
            std::vector<Span> sp;
            split_with(r, s, sp);
            double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            CHECK(sp.size() <= 3);
            CHECK(sec < 1.0);
        }
}

TEST_CASE("bytes_to_unicode") {
    CHECK(byte_char('!') == '!');
    CHECK(byte_char(' ') == 0x120);   // Ġ
    CHECK(byte_char('\n') == 0x10A);  // Ċ
    CHECK(byte_char(0) == 0x100);
    CHECK(byte_char(0xAD) == 0x143);
    for (int b = 0; b < 256; b++) CHECK(char_byte(byte_char(uint8_t(b))) == b);
    std::string all;
    for (int b = 0; b < 256; b++) all.push_back(char(b));
    std::string back;
    REQUIRE(decode_byte_chars(encode_byte_chars(all), back));
    CHECK(back == all);
    CHECK_FALSE(decode_byte_chars("\u4e00", back));
}

TEST_CASE("bert and metaspace splits") {
    std::vector<Span> sp;
    std::string s = "Hello, world!  x";
    bert_split(s, sp);
    std::vector<std::string> got;
    for (auto x : sp) got.emplace_back(s.substr(x.begin, x.len));
    CHECK(got == V{"Hello", ",", "world", "!", "x"});
    sp.clear();
    got.clear();
    std::string m = "\u2581a\u2581bc\u2581";
    split_before(m, "\u2581", sp);
    for (auto x : sp) got.emplace_back(m.substr(x.begin, x.len));
    CHECK(got == V{"\u2581a", "\u2581bc", "\u2581"});
}

TEST_CASE("normalizers") {
    CHECK(nfkc("\uFF46\uFF55\uFF4C\uFF4C") == "full");
    CHECK(nfkc("\u2460") == "1");
    CHECK(nfc("e\u0301") == "\u00e9");
    CHECK(nfd("\u00e9") == "e\u0301");
    CHECK(lowercase("ABC\u00C9\u0130") == "abc\u00e9i\u0307");
    CHECK(strip_marks("caf\u00e9") == "cafe");
}
