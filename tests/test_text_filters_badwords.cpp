#include "lmk/text/filters_badwords.h"

#include <doctest/doctest.h>
#include <filesystem>

using namespace lmk;

namespace {
std::string bw(const BadWords& b, const std::string& t, const std::string& lang) {
    auto v = b.check(t, lang);
    return v ? v->reason : "keep";
}
} // namespace

TEST_CASE("badwords: word boundaries for spaced languages") {
    BadWords b;
    b.add_language("en", {"bad", "two words", "", "  spaced  "});
    CHECK(bw(b, "this is bad.", "en") == "document_removed_with_badwords");
    CHECK(bw(b, "Bad start", "en") == "document_removed_with_badwords"); // lowercased, ^ boundary
    CHECK(bw(b, "the end: BAD", "en") == "document_removed_with_badwords");
    CHECK(bw(b, "a badge", "en") == "keep");
    CHECK(bw(b, "xbad", "en") == "keep");
    CHECK(bw(b, "_bad", "en") == "keep");     // '_' is a word character
    CHECK(bw(b, "1bad", "en") == "keep");     // so are digits
    CHECK(bw(b, "\u00e9bad", "en") == "keep"); // and letters of any script
    CHECK(bw(b, "-bad-", "en") == "document_removed_with_badwords");
    CHECK(bw(b, "some two words here", "en") == "document_removed_with_badwords");
    CHECK(bw(b, "two wordsmith", "en") == "keep");
    CHECK(bw(b, "a spaced word", "en") == "document_removed_with_badwords"); // entries are stripped
    CHECK(bw(b, "clean text", "en") == "keep");
    CHECK(bw(b, "bad", "fr") == "keep"); // no list for fr
    CHECK_FALSE(b.has_language("fr"));
}

TEST_CASE("badwords: no boundaries for ja, th, zh; mC4 allow-lists") {
    BadWords b;
    b.add_language("zh", {"\u574f", "\u6027"});
    b.add_language("ja", {"sm", "\u30a8\u30ed"});
    CHECK(bw(b, "\u8fd9\u662f\u574f\u7684", "zh") == "document_removed_with_badwords");
    CHECK(bw(b, "\u6027\u522b", "zh") == "keep"); // 性 is allowed in zh
    CHECK(bw(b, "small", "ja") == "keep");         // sm is allowed in ja
    CHECK(bw(b, "\u30a8\u30ed\u3044", "ja") == "document_removed_with_badwords");
}

TEST_CASE("badwords: the LDNOOBW directory (shared data)") {
    std::string dir = std::string(LMK_SOURCE_DIR) + "/../shared/data/web/badwords";
    if (!std::filesystem::exists(dir)) {
        MESSAGE("skipped: ../shared/data/web/badwords absent");
        return;
    }
    BadWords b = BadWords::load_dir(dir);
    CHECK(b.languages().size() == 28);
    CHECK(b.has_language("en"));
    CHECK(b.has_language("fr-CA-u-sd-caqc"));
    CHECK(bw(b, "A perfectly clean sentence about gardens.", "en") == "keep");
}
