#include "lmk/text/unicode.h"

#include <doctest/doctest.h>

using namespace lmk;

TEST_CASE("char_count counts code points") {
    CHECK(char_count("") == 0);
    CHECK(char_count("abc") == 3);
    CHECK(char_count("\xc3\xa9t\xc3\xa9") == 3);           // été
    CHECK(char_count("\xe4\xb8\xad\xf0\x9f\x98\x80") == 2); // 中😀
}

TEST_CASE("py_isspace matches Python str.isspace") {
    for (uint32_t cp : {0x09u, 0x0Au, 0x0Bu, 0x0Cu, 0x0Du, 0x1Cu, 0x1Du, 0x1Eu, 0x1Fu, 0x20u, 0x85u, 0xA0u,
                        0x1680u, 0x2000u, 0x200Au, 0x2028u, 0x2029u, 0x202Fu, 0x205Fu, 0x3000u})
        CHECK(py_isspace(cp));
    for (uint32_t cp : {0x00u, 0x08u, 0x41u, 0x200Bu, 0x180Eu, 0xFEFFu}) CHECK_FALSE(py_isspace(cp));
}

TEST_CASE("split, strip and splitlines behave as Python's") {
    auto w = py_split("  a\u00a0b\tc\u3000 ");
    REQUIRE(w.size() == 3);
    CHECK(w[0] == "a");
    CHECK(w[1] == "b");
    CHECK(w[2] == "c");
    CHECK(py_split_count("") == 0);
    CHECK(py_strip("\u2003 x y \n") == "x y");
    CHECK(py_lstrip("  x ") == "x ");
    CHECK(py_rstrip("  x ") == "  x");
    auto l = py_splitlines("a\nb\r\nc\rd\x0b" "e\x0c" "f\x1cg\xc2\x85h\xe2\x80\xa8i\n");
    std::vector<std::string_view> want = {"a", "b", "c", "d", "e", "f", "g", "h", "i"};
    CHECK(l == want);
    auto l2 = py_splitlines("a\n\nb");
    REQUIRE(l2.size() == 3);
    CHECK(l2[1] == "");
    CHECK(py_splitlines("").empty());
}

TEST_CASE("character classes") {
    CHECK(py_isalpha('a'));
    CHECK(py_isalpha(0x4E2D)); // 中
    CHECK_FALSE(py_isalpha('1'));
    CHECK_FALSE(py_isalpha(0x0301)); // combining acute (Mn) is not alpha in Python
    CHECK(py_isword('_'));
    CHECK(py_isword(0x0661)); // Arabic-Indic digit one
    CHECK_FALSE(py_isword('-'));
    CHECK(py_isdecimal(0x0661));
    CHECK_FALSE(py_isdecimal(0x00B2)); // superscript two is No, not Nd
}

TEST_CASE("to_lower and NFC") {
    CHECK(to_lower("LoReM \xc3\x89T\xc3\x89") == "lorem \xc3\xa9t\xc3\xa9");
    CHECK(nfc_normalize("e\xcc\x81") == "\xc3\xa9");
    CHECK(nfc_normalize("abc") == "abc");
}

TEST_CASE("normalize_text: NFC, line breaks, controls, spaces, blank lines") {
    CHECK(normalize_text("  a \t b  \r\nc\x01" "d\r\r\r\ne\n") == "a b\nc" "d\n\ne");
    CHECK(normalize_text("\n\n x \n") == "x");
    CHECK(normalize_text("e\xcc\x81t\xc3\xa9\xe2\x80\xa8z") == "\xc3\xa9t\xc3\xa9\nz");
    CHECK(normalize_text("a\u00a0\u00a0b") == "a b");
    CHECK(normalize_text("") == "");
}

TEST_CASE("codepoint iteration survives invalid bytes") {
    std::string s = "a\xff" "b";
    size_t i = 0;
    CHECK(next_codepoint(s, i) == 'a');
    CHECK(next_codepoint(s, i) == 0xFFFD);
    CHECK(next_codepoint(s, i) == 'b');
    size_t j = s.size();
    CHECK(prev_codepoint(s, j) == 'b');
    CHECK(prev_codepoint(s, j) == 0xFFFD);
    CHECK(j == 1);
}

TEST_CASE("nfc_normalize: the fast path agrees with utf8proc") {
    // Inert text is returned as is; a combining mark anywhere sends the text through utf8proc.
    CHECK(nfc_normalize("caf\xc3\xa9 \xe2\x80\x94 \xe4\xb8\xad") == "caf\xc3\xa9 \xe2\x80\x94 \xe4\xb8\xad");
    CHECK(nfc_normalize("\xe4\xb8\xad cafe\xcc\x81") == "\xe4\xb8\xad caf\xc3\xa9");
    CHECK(nfc_normalize("\xe2\x84\xab") == "\xc3\x85"); // ANGSTROM SIGN -> A with ring (singleton)
    CHECK(nfc_normalize("\xe2\x80\x80") == "\xe2\x80\x82"); // EN QUAD -> EN SPACE (singleton)
}
