#include "lmk/text/filter_config.h"

#include "lmk/core/error.h"

#include <doctest/doctest.h>

using namespace lmk;

TEST_CASE("filter_config: defaults are the published values and print as JSON") {
    FilterConfig c;
    std::string j = config_to_json(c);
    CHECK(j.find("\"min_sentences\": 3") != std::string::npos);
    CHECK(j.find("\"max_page_chars\": 190000") != std::string::npos);
    CHECK(j.find("\"top_n_grams\": [[2, 0.2], [3, 0.18], [4, 0.16]]") != std::string::npos);
    CHECK(j.find("\"char_duplicates_ratio\": 0.01") != std::string::npos);
    CHECK(j.find("\"languages\": [\"en\"]") != std::string::npos);
    CHECK(j.front() == '{');
    CHECK(j.substr(j.size() - 2) == "}\n");
    // What is printed reads back to the same configuration.
    FilterConfig d;
    d.c4.min_sentences = 9;
    apply_config_json(d, j, "printed");
    CHECK(config_to_json(d) == j);
}

TEST_CASE("filter_config: overrides and errors") {
    FilterConfig c;
    apply_config_json(c,
                      R"({"normalize": false, "c4": {"min_sentences": 5}, "fineweb": {"char_duplicates_ratio": 0.1},
                          "lang": {"languages": ["de", "fr"], "source": "warc"},
                          "gopher_repetition": {"dup_n_grams": [[5, 0.2]]}})",
                      "o.json");
    CHECK_FALSE(c.normalize);
    CHECK(c.c4.min_sentences == 5);
    CHECK(c.c4.min_words_per_line == 5);
    CHECK(c.fineweb.char_duplicates_ratio == 0.1);
    CHECK(c.lang.languages == std::vector<std::string>{"de", "fr"});
    CHECK(c.lang.source == "warc");
    REQUIRE(c.gopher_repetition.dup_n_grams.size() == 1);
    CHECK(c.gopher_repetition.dup_n_grams[0].second == 0.2);
    CHECK_THROWS_WITH_AS(apply_config_json(c, R"({"c4": {"min_sentence": 5}})", "o.json"),
                         "o.json: unknown setting \"c4.min_sentence\" (see --print-config)", Error);
    CHECK_THROWS_WITH_AS(apply_config_json(c, R"({"c5": {}})", "o.json"),
                         "o.json: unknown setting \"c5\" (see --print-config)", Error);
    CHECK_THROWS_WITH_AS(apply_config_json(c, R"({"c4": {"min_sentences": "x"}})", "o.json"),
                         "o.json: c4.min_sentences: expected a number", Error);
    CHECK_THROWS_AS(apply_config_json(c, "{", "o.json"), Error);
    CHECK_THROWS_AS(apply_config_json(c, R"({"lang": {"source": "fasttext"}})", "o.json"), Error);
}
