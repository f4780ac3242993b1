// text/filter_config.h: every filter parameter in one JSON document.
//
// The defaults are the published values (C4: TFDS c4_utils.py; Gopher: Rae et al. 2021 Table
// A1 as datatrove sets them; FineWeb: datatrove's code defaults; lang: datatrove's
// LanguageFilter, en at 0.65). `clean-corpus --print-config` prints config_to_json(defaults);
// `--config FILE` overrides any subset: apply_config_json() reads an object with the same
// sections and keys, and an unknown section or key is an error (a typo must not silently
// leave a default in place).
//
// Layout (every key optional in an override):
//   {"normalize": true,
//    "length": {"min_chars": 1, "max_chars": 0},             0 = no maximum
//    "c4": {"min_words_per_line": 5, "min_sentences": 3, "max_word_length": 1000,
//           "max_page_chars": 190000},
//    "gopher_quality": {...GopherQualityParams...}, "gopher_repetition": {"dup_line_frac": 0.3,
//           ..., "top_n_grams": [[2, 0.2], ...], "dup_n_grams": [[5, 0.15], ...]},
//    "fineweb": {...}, "lang": {"languages": ["en"], "min_score": 0.65, "source": "cld2",
//           "max_bytes": 0},                                   0 = CLD2 reads the whole text
//    "badwords": {"default_lang": "en"}, "url": {"soft_word_threshold": 2},
//    "pii": {"emails": true, "ips": true, "only_public_ips": true}}
//
//   lmk::FilterConfig cfg;
//   lmk::apply_config_json(cfg, lmk::read_file("my.json"), "my.json");
//   std::string text = lmk::config_to_json(cfg);
#pragma once
#include "lmk/text/filters_c4.h"
#include "lmk/text/filters_fineweb.h"
#include "lmk/text/filters_gopher.h"
#include "lmk/text/filters_pii.h"

#include <string>
#include <string_view>
#include <vector>

namespace lmk {

struct LengthParams {
    double min_chars = 1;
    double max_chars = 0; // 0 = no maximum
};

struct LangParams {
    std::vector<std::string> languages = {"en"}; // empty = any language
    double min_score = 0.65;
    std::string source = "cld2"; // "cld2" or "warc" (WARC-Identified-Content-Language, then cld2)
    // CLD2 judges only the first max_bytes of the text (cut back to a character boundary);
    // 0 = the whole text. Faster on long pages, but lang/lang_score of such pages may change.
    double max_bytes = 0;
};

struct BadWordsParams {
    std::string default_lang = "en"; // when the document's language is unknown
};

struct UrlParams {
    int soft_word_threshold = 2;
};

struct FilterConfig {
    bool normalize = true;
    LengthParams length;
    C4Params c4;
    GopherQualityParams gopher_quality;
    GopherRepetitionParams gopher_repetition;
    FineWebParams fineweb;
    LangParams lang;
    BadWordsParams badwords;
    UrlParams url;
    PiiParams pii;
};

std::string config_to_json(const FilterConfig& c); // pretty-printed, ends with "\n"
void apply_config_json(FilterConfig& c, std::string_view json, const std::string& source);

} // namespace lmk
