// text/filters_badwords.h: the C4 / mC4 bad-words rule (TFDS c4_utils.py, datatrove
// C4BadWordsFilter) over the LDNOOBW lists, one file per language in a directory.
//
// A document is rejected ("document_removed_with_badwords") when its lowercased text contains
// a listed word or phrase. For ja, th and zh (no spaces between words) any occurrence
// counts; for every other language the occurrence must be flanked by a non-word character
// (Python re `\W`: not a letter, digit or "_") or the start/end of the text, i.e. the regex
// (?:\W|^)(w1|w2|...)(?:\W|$). mC4's allow-list removes "sm", "グロ", "女の子" from ja and "性"
// from zh (they are common subwords). The list used is the document's language (`lang` field,
// from the lang filter or the input; default_lang when unknown); a language without a list
// keeps the document and is counted as "missing_badwords_lang" by the pipeline.
// Matching walks a byte trie of the list from each candidate start: O(text * longest word).
//
//   lmk::BadWords bw = lmk::BadWords::load_dir("../shared/data/web/badwords");
//   if (auto v = bw.check(text, "en")) ...;  bw.has_language("xx") == false
#pragma once
#include "lmk/text/filter.h"

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace lmk {

class BadWords {
public:
    BadWords();
    ~BadWords();
    BadWords(BadWords&&) noexcept;
    BadWords& operator=(BadWords&&) noexcept;

    // Every regular file in dir whose name looks like a language tag (letters, digits, "-").
    static BadWords load_dir(const std::string& dir);
    // One language from a list of words (tests, custom lists).
    void add_language(const std::string& lang, const std::vector<std::string>& words);

    bool has_language(std::string_view lang) const;
    std::vector<std::string> languages() const;
    // nullopt when clean or when lang has no list (check has_language to tell them apart).
    Verdict check(std::string_view text, std::string_view lang) const;

    struct List; // internal
private:
    std::map<std::string, std::unique_ptr<List>, std::less<>> lists_;
};

} // namespace lmk
