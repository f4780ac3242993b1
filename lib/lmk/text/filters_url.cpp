// text/filters_url.cpp: see filters_url.h.
#include "lmk/text/filters_url.h"

#include "lmk/core/error.h"
#include "lmk/io/file.h"
#include "lmk/text/unicode.h"

#include <algorithm>
#include <fmt/format.h>

namespace lmk {
namespace {

bool is_alnum_ascii(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

std::string normalize_word(std::string_view s) {
    std::string out;
    for (char c : s)
        if (is_alnum_ascii(c)) out.push_back(char(c >= 'A' && c <= 'Z' ? c + 32 : c));
    return out;
}

std::vector<std::string> read_lines(const std::string& path) {
    std::string data = read_file(path);
    std::vector<std::string> out;
    size_t start = 0;
    for (size_t i = 0; i <= data.size(); i++)
        if (i == data.size() || data[i] == '\n') {
            std::string line = data.substr(start, i - start);
            start = i + 1;
            if (line.empty() || line[0] == '#') continue;
            out.push_back(std::move(line));
        }
    return out;
}

} // namespace

void UrlFilter::add_blocked_domain(std::string_view d) {
    std::string s(py_strip(d));
    if (!s.empty()) domains_.insert(std::move(s));
}
void UrlFilter::add_blocked_url(std::string_view u) {
    std::string s(py_strip(u));
    if (!s.empty()) urls_.insert(std::move(s));
}
void UrlFilter::add_banned_word(std::string_view w) {
    auto s = normalize_word(w);
    if (!s.empty()) banned_.insert(s);
}
void UrlFilter::add_soft_banned_word(std::string_view w) {
    auto s = normalize_word(w);
    if (!s.empty()) soft_.insert(s);
}
void UrlFilter::add_banned_subword(std::string_view w) {
    auto s = normalize_word(w);
    if (!s.empty() && std::find(subwords_.begin(), subwords_.end(), s) == subwords_.end()) subwords_.push_back(s);
}

void UrlFilter::load_blocklist(const std::string& path) {
    for (const auto& l : read_lines(path)) {
        if (l.find("://") != std::string::npos) add_blocked_url(l);
        else add_blocked_domain(l);
    }
}

void UrlFilter::load_word_dir(const std::string& dir) {
    for (const char* f : {"banned_words.txt", "banned_subwords.txt", "soft_banned_words.txt"})
        LMK_CHECK(file_exists(dir + "/" + f), "{}/{}: missing (expected datatrove's URL word lists)", dir, f);
    for (const auto& l : read_lines(dir + "/banned_words.txt")) add_banned_word(l);
    for (const auto& l : read_lines(dir + "/banned_subwords.txt")) add_banned_subword(l);
    for (const auto& l : read_lines(dir + "/soft_banned_words.txt")) add_soft_banned_word(l);
}

void UrlFilter::add_public_suffix_rule(std::string_view rule) {
    std::string r(py_strip(rule));
    if (r.empty() || r.starts_with("//")) return;
    size_t sp = r.find_first_of(" \t");
    if (sp != std::string::npos) r.resize(sp);
    public_suffix_.insert(to_lower(r));
}

void UrlFilter::load_public_suffixes(const std::string& path) {
    for (const auto& l : read_lines(path)) add_public_suffix_rule(l);
}

bool UrlFilter::empty() const {
    return domains_.empty() && urls_.empty() && banned_.empty() && soft_.empty() && subwords_.empty();
}

std::string UrlFilter::host_of(std::string_view url) {
    size_t p = url.find("://");
    std::string_view rest = p == std::string_view::npos ? url : url.substr(p + 3);
    size_t end = rest.find_first_of("/?#");
    std::string_view auth = rest.substr(0, end);
    size_t at = auth.rfind('@');
    if (at != std::string_view::npos) auth = auth.substr(at + 1);
    if (!auth.empty() && auth[0] == '[') { // IPv6 literal
        size_t close = auth.find(']');
        return std::string(auth.substr(0, close == std::string_view::npos ? auth.size() : close + 1));
    }
    size_t colon = auth.find(':');
    if (colon != std::string_view::npos) auth = auth.substr(0, colon);
    while (!auth.empty() && auth.back() == '.') auth.remove_suffix(1);
    return to_lower(auth);
}

std::string UrlFilter::registered_domain(std::string_view host) const {
    // Labels from the right; the public suffix is the longest matching rule (the PSL
    // algorithm: exception rules "!x" win, wildcards "*.x" match one label).
    std::vector<std::string_view> labels;
    size_t start = 0;
    for (size_t i = 0; i <= host.size(); i++)
        if (i == host.size() || host[i] == '.') {
            labels.push_back(host.substr(start, i - start));
            start = i + 1;
        }
    size_t n = labels.size();
    auto join = [&](size_t from) {
        std::string s;
        for (size_t i = from; i < n; i++) {
            if (i > from) s.push_back('.');
            s.append(labels[i]);
        }
        return s;
    };
    size_t suffix_labels = 1;
    if (public_suffix_.empty()) {
        suffix_labels = 1;
    } else {
        for (size_t k = 1; k <= n; k++) {
            std::string cand = join(n - k);
            if (public_suffix_.count("!" + cand)) {
                suffix_labels = k - 1;
                break;
            }
            std::string wild = k >= 2 ? "*." + join(n - k + 1) : std::string();
            if (public_suffix_.count(cand) || (!wild.empty() && public_suffix_.count(wild))) suffix_labels = k;
        }
    }
    if (suffix_labels >= n) return ""; // the host is itself a public suffix
    return join(n - suffix_labels - 1);
}

Verdict UrlFilter::check(std::string_view url) const {
    if (!domains_.empty()) {
        std::string host = host_of(url);
        std::string reg = registered_domain(host);
        if (!reg.empty() && domains_.count(reg)) return Rejection{"domain", reg};
        if (domains_.count(host)) return Rejection{"subdomain", host};
    }
    if (urls_.count(std::string(url))) return Rejection{"url", std::string(url)};
    if (!banned_.empty() || !soft_.empty()) {
        std::vector<std::string> words;
        std::string cur;
        for (char c : url) {
            if (is_alnum_ascii(c)) cur.push_back(c);
            else if (!cur.empty()) words.push_back(std::move(cur)), cur.clear();
        }
        if (!cur.empty()) words.push_back(cur);
        std::sort(words.begin(), words.end());
        words.erase(std::unique(words.begin(), words.end()), words.end());
        for (const auto& w : words)
            if (banned_.count(w)) return Rejection{"hard_blacklisted", w};
        size_t soft = 0;
        std::string which;
        for (const auto& w : words)
            if (soft_.count(w)) {
                soft++;
                which += (which.empty() ? "" : ",") + w;
            }
        if (soft >= size_t(soft_word_threshold)) return Rejection{"soft_blacklisted", which};
    }
    if (!subwords_.empty()) {
        std::string norm = normalize_word(url);
        for (const auto& w : subwords_)
            if (norm.find(w) != std::string::npos) return Rejection{"blacklisted_subword", w};
    }
    return std::nullopt;
}

} // namespace lmk
