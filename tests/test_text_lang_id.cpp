#include "lmk/text/lang_id.h"

#include <doctest/doctest.h>

using namespace lmk;

TEST_CASE("lang_id: CLD2 on plain sentences") {
    if (!lang_id_available()) {
        MESSAGE("skipped: built without CLD2");
        return;
    }
    auto en = detect_language("The quick brown fox jumps over the lazy dog while the farmer watches from the "
                              "porch and drinks his morning coffee.");
    CHECK(en.lang == "en");
    CHECK(en.score > 0.9);
    CHECK(en.score <= 1.0);
    auto de = detect_language("Der schnelle braune Fuchs springt über den faulen Hund, während der Bauer von der "
                              "Veranda aus zusieht und seinen Morgenkaffee trinkt.");
    CHECK(de.lang == "de");
    auto none = detect_language("");
    CHECK(none.lang == "und");
    CHECK(none.score == 0);
}

TEST_CASE("lang_id: WARC header codes and matching") {
    CHECK(warc_language("spa,eng") == "es");
    CHECK(warc_language("eng") == "en");
    CHECK(warc_language("") == "");
    CHECK(warc_language("xyz") == "xyz");
    CHECK(lang_matches("zh-Hant", "zh"));
    CHECK(lang_matches("en", "en"));
    CHECK_FALSE(lang_matches("en", "e"));
    CHECK_FALSE(lang_matches("zh", "zh-Hant"));
}
