#include "lmk/text/filters_fineweb.h"

#include "test_text_helpers.h"

#include <doctest/doctest.h>

using namespace lmk;
using lmk_test::join;
using lmk_test::uw;

namespace {
std::string fw(const std::string& t) {
    auto v = fineweb_filter(t, FineWebParams{});
    return v ? v->reason : "keep";
}
// A unique line of 20 three-letter words (79 chars) plus `end`.
std::string long_line(int i, const std::string& end) {
    std::vector<std::string> w;
    for (int j = 0; j < 20; j++) w.push_back(uw(100 * i + j));
    return join(w, " ") + end;
}
} // namespace

TEST_CASE("fineweb: lines ending in terminal punctuation >= 0.12") {
    auto build = [](int punct) {
        std::vector<std::string> l;
        for (int i = 0; i < 25; i++) l.push_back(long_line(i, i < punct ? "." : ""));
        return join(l, "\n");
    };
    CHECK(fw(build(3)) == "keep"); // 3/25 = 0.12
    CHECK(fw(build(2)) == "line_punct_ratio");
    // Blank lines do not count; a CJK full stop counts.
    CHECK(fw(long_line(0, "\u3002") + "\n\n  \n" + long_line(1, "")) == "keep");
    CHECK(fw("\n \n") == "empty");
}

TEST_CASE("fineweb: short lines (<= 30 chars) at most 0.67") {
    auto build = [](int short_lines) {
        std::vector<std::string> l;
        for (int i = 0; i < 100; i++)
            l.push_back(i < short_lines ? (i == 0 ? std::string(29, 'a') + "." : uw(2000 + i) + ".") : long_line(i, "."));
        return join(l, "\n");
    };
    CHECK(fw(build(67)) == "keep"); // the first short line is exactly 30 chars
    CHECK(fw(build(68)) == "short_line_ratio");
}

TEST_CASE("fineweb: chars in duplicate lines at most 0.01 of the text") {
    auto build = [](int d) {
        std::vector<std::string> l;
        for (int i = 0; i < 10; i++) l.push_back(long_line(i, "."));
        std::string dup = std::string(size_t(d - 1), 'z') + ".";
        l.push_back(dup);
        l.push_back(dup);
        return join(l, "\n");
    };
    CHECK(fw(build(8)) == "keep");           // 8 / 816
    CHECK(fw(build(9)) == "char_dup_ratio"); // 9 / 818
    FineWebParams blog;
    blog.char_duplicates_ratio = 0.1;
    CHECK_FALSE(fineweb_filter(build(9), blog));
}

TEST_CASE("fineweb: newlines per word at most 0.3") {
    auto build = [](bool two_words) {
        std::vector<std::string> l;
        for (int i = 0; i < 10; i++)
            l.push_back(std::string(15, char('a' + i)) + (two_words ? " " + std::string(15, 'q') : std::string(16, 'r')) + ".");
        return join(l, "\n");
    };
    CHECK(fw(build(true)) == "keep");        // 9 / 30
    CHECK(fw(build(false)) == "list_ratio"); // 9 / 20
}
