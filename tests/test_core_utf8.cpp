// Tests for core/utf8: validation, maximal-subpart repair, encoding.
#include "lmk/core/utf8.h"

#include <doctest/doctest.h>

using namespace lmk;

TEST_CASE("utf8: valid and invalid sequences") {
    CHECK(utf8_valid("plain ascii"));
    CHECK(utf8_valid("caf\xc3\xa9 \xe4\xb8\xad\xe6\x96\x87 \xf0\x9f\x98\x80"));
    CHECK_FALSE(utf8_valid("\xc0\xaf"));         // overlong
    CHECK_FALSE(utf8_valid("\xed\xa0\x80"));     // surrogate
    CHECK_FALSE(utf8_valid("\xf4\x90\x80\x80")); // > U+10FFFF
    CHECK_FALSE(utf8_valid("abc\xe4\xb8"));      // truncated
    CHECK(utf8_first_invalid("abcdefghij\xff") == 10);
}

TEST_CASE("utf8: repair replaces maximal subparts") {
    size_t n = 0;
    // Unicode 15 §3.9 example: 61 F1 80 80 E1 80 C2 62 80 63 80 BF 64 -> a,FFFD,FFFD,FFFD,b,FFFD,c,FFFD,FFFD,d
    std::string r = repair_utf8("\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64", &n);
    CHECK(r == "a\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD" "b\xEF\xBF\xBD" "c\xEF\xBF\xBD\xEF\xBF\xBD" "d");
    CHECK(n == 6); // Python: bytes.decode(errors="replace") gives 6 too
    n = 0;
    CHECK(repair_utf8("ok", &n) == "ok");
    CHECK(n == 0);
}

TEST_CASE("utf8: append round-trips through decode") {
    for (uint32_t cp : {0x24u, 0xA2u, 0x20ACu, 0x10348u, 0x10FFFFu}) {
        std::string s;
        utf8_append(s, cp);
        uint32_t back = 0;
        CHECK(utf8_decode(s.data(), s.size(), &back) == s.size());
        CHECK(back == cp);
    }
}
