// text/lang_id.h: language identification with CLD2 (Debian libcld2, tables built in).
//
// detect_language(text) returns CLD2's top language as an ISO 639-1 style code ("en", "zh",
// "zh-Hant", "und" when unknown) and a score in [0, 1]: the share of the text's bytes CLD2
// assigned to that language (percent3[0] / 100), fastText-like in range and meaning (higher =
// more confident). Deterministic and thread-safe.
// warc_language(header) maps Common Crawl's WARC-Identified-Content-Language value
// ("spa,eng": ISO 639-3 codes by decreasing share, from CC's own CLD2 run) to the first
// language's 639-1 code ("es"), or "" if empty; an unmapped code is returned as it is.
// lang_matches("zh-Hant", "zh") is true: a wanted language matches its regional variants.
//
//   auto g = lmk::detect_language("The quick brown fox jumps over the lazy dog.");
//   // g.lang == "en", g.score ~ 0.99
#pragma once
#include <string>
#include <string_view>

namespace lmk {

struct LangGuess {
    std::string lang = "und";
    double score = 0;
    bool reliable = false;
};

bool lang_id_available(); // false when built without CLD2
LangGuess detect_language(std::string_view text);
std::string warc_language(std::string_view header_value);
bool lang_matches(std::string_view detected, std::string_view wanted);

} // namespace lmk
