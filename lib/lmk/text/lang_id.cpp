// text/lang_id.cpp: see lang_id.h.
#include "lmk/text/lang_id.h"

#if __has_include(<cld2/public/compact_lang_det.h>)
#include <cld2/public/compact_lang_det.h>
#include <cld2/public/encodings.h>
#define LMK_HAVE_CLD2 1
#endif

#include <algorithm>
#include <array>
#include <utility>

namespace lmk {

bool lang_id_available() {
#ifdef LMK_HAVE_CLD2
    return true;
#else
    return false;
#endif
}

LangGuess detect_language(std::string_view text) {
    LangGuess g;
#ifdef LMK_HAVE_CLD2
    CLD2::Language lang3[3];
    int percent3[3] = {0, 0, 0};
    double norm3[3];
    int text_bytes = 0;
    bool reliable = false;
    CLD2::CLDHints hints = {nullptr, nullptr, CLD2::UNKNOWN_ENCODING, CLD2::UNKNOWN_LANGUAGE};
    // CLD2 takes an int length; very long pages are judged on their first 16 MB.
    int len = int(std::min<size_t>(text.size(), size_t(16) << 20));
    CLD2::Language top = CLD2::ExtDetectLanguageSummary(text.data(), len, true, &hints, 0, lang3, percent3,
                                                        norm3, nullptr, &text_bytes, &reliable);
    if (top != CLD2::UNKNOWN_LANGUAGE) {
        g.lang = CLD2::LanguageCode(top);
        g.score = (top == lang3[0] ? percent3[0] : 0) / 100.0;
        g.reliable = reliable;
    }
#else
    (void)text;
#endif
    return g;
}

std::string warc_language(std::string_view v) {
    std::string_view first = v.substr(0, v.find(','));
    while (!first.empty() && first.front() == ' ') first.remove_prefix(1);
    while (!first.empty() && first.back() == ' ') first.remove_suffix(1);
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 52> kMap = {{
        {"ara", "ar"}, {"arg", "an"}, {"ben", "bn"}, {"bul", "bg"}, {"cat", "ca"}, {"ces", "cs"},
        {"dan", "da"}, {"deu", "de"}, {"ell", "el"}, {"eng", "en"}, {"epo", "eo"}, {"est", "et"},
        {"eus", "eu"}, {"fas", "fa"}, {"fin", "fi"}, {"fra", "fr"}, {"glg", "gl"}, {"heb", "he"},
        {"hin", "hi"}, {"hrv", "hr"}, {"hun", "hu"}, {"ind", "id"}, {"isl", "is"}, {"ita", "it"},
        {"jpn", "ja"}, {"kab", "kab"}, {"kor", "ko"}, {"lav", "lv"}, {"lit", "lt"}, {"msa", "ms"},
        {"nld", "nl"}, {"nno", "nn"}, {"nob", "no"}, {"nor", "no"}, {"pol", "pl"}, {"por", "pt"},
        {"ron", "ro"}, {"rus", "ru"}, {"slk", "sk"}, {"slv", "sl"}, {"spa", "es"}, {"srp", "sr"},
        {"swe", "sv"}, {"tam", "ta"}, {"tgl", "tl"}, {"tha", "th"}, {"tur", "tr"}, {"ukr", "uk"},
        {"urd", "ur"}, {"vie", "vi"}, {"zho", "zh"}, {"fil", "fil"}}};
    for (auto [k, val] : kMap)
        if (k == first) return std::string(val);
    return std::string(first);
}

bool lang_matches(std::string_view detected, std::string_view wanted) {
    if (detected == wanted) return true;
    return detected.size() > wanted.size() && detected.starts_with(wanted) && detected[wanted.size()] == '-';
}

} // namespace lmk
