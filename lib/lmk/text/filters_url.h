// text/filters_url.h: URL filtering as datatrove's URLFilter does it (RefinedWeb §G.1).
//
// A document is rejected when, in this order (reason keys are datatrove's):
//   its registered domain (public-suffix rule + one label, as tldextract computes it) is in
//   the domain blocklist ("domain"); its full host is in the blocklist ("subdomain"); the whole
//   URL is in the URL blocklist ("url"); a word of the URL (the URL split on runs of
//   [^a-zA-Z0-9], case kept) is a banned word ("hard_blacklisted"); at least
//   soft_word_threshold (2) distinct words are soft-banned ("soft_blacklisted"); the URL
//   with every [^a-zA-Z0-9] removed and lowercased contains a banned subword
//   ("blacklisted_subword"). List entries starting with "#" are comments; word lists are
//   normalized the same way (non-alphanumerics removed, lowercased); domain lists are trimmed.
// Word lists come from a directory holding banned_words.txt, banned_subwords.txt and
// soft_banned_words.txt (datatrove's assets; ../shared/data/web/badwords/datatrove_url_filter).
// Without a public suffix list, the registered domain is the last two host labels.
// A document without a URL is kept (counted by the pipeline as "no_url").
//
//   lmk::UrlFilter f;
//   f.load_blocklist("blocked_domains.txt");
//   f.load_word_dir("badwords/datatrove_url_filter");
//   f.load_public_suffixes("/usr/share/publicsuffix/public_suffix_list.dat");
//   if (auto v = f.check("https://a.example.com/x")) ...
#pragma once
#include "lmk/text/filter.h"

#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace lmk {

class UrlFilter {
public:
    int soft_word_threshold = 2;

    // Lines of a file: domains (or full URLs, when the line contains "://").
    void load_blocklist(const std::string& path);
    void add_blocked_domain(std::string_view d);
    void add_blocked_url(std::string_view u);
    void load_word_dir(const std::string& dir);
    void add_banned_word(std::string_view w);
    void add_banned_subword(std::string_view w);
    void add_soft_banned_word(std::string_view w);
    void load_public_suffixes(const std::string& path);
    void add_public_suffix_rule(std::string_view rule);

    Verdict check(std::string_view url) const;

    // Parts, exposed for tests.
    static std::string host_of(std::string_view url);  // lowercased, port and trailing dot removed
    std::string registered_domain(std::string_view host) const;
    bool empty() const;

private:
    std::unordered_set<std::string> domains_, urls_, banned_, soft_, public_suffix_;
    std::vector<std::string> subwords_;
};

} // namespace lmk
