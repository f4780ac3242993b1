// text/filters_badwords.cpp: see filters_badwords.h.
#include "lmk/text/filters_badwords.h"

#include "lmk/core/error.h"
#include "lmk/io/file.h"
#include "lmk/text/unicode.h"

#include <algorithm>
#include <filesystem>
#include <fmt/format.h>
#include <set>

namespace lmk {

// A byte trie; node 0 is the root. Children are kept sorted by byte in one flat array each.
struct BadWords::List {
    struct Node {
        std::vector<std::pair<unsigned char, uint32_t>> next;
        bool terminal = false;
        uint32_t word = 0; // index into words when terminal
    };
    std::vector<Node> nodes{1};
    std::vector<std::string> words;
    bool no_boundaries = false;

    void add(std::string_view w) {
        uint32_t n = 0;
        for (unsigned char c : w) {
            auto& nx = nodes[n].next;
            auto it = std::lower_bound(nx.begin(), nx.end(), std::make_pair(c, uint32_t(0)),
                                       [](auto& a, auto& b) { return a.first < b.first; });
            if (it != nx.end() && it->first == c) {
                n = it->second;
            } else {
                uint32_t id = uint32_t(nodes.size());
                nodes[n].next.insert(it, {c, id});
                nodes.emplace_back();
                n = id;
            }
        }
        if (!nodes[n].terminal) {
            nodes[n].terminal = true;
            nodes[n].word = uint32_t(words.size());
            words.emplace_back(w);
        }
    }
    uint32_t step(uint32_t n, unsigned char c) const {
        const auto& nx = nodes[n].next;
        auto it = std::lower_bound(nx.begin(), nx.end(), std::make_pair(c, uint32_t(0)),
                                   [](auto& a, auto& b) { return a.first < b.first; });
        return (it != nx.end() && it->first == c) ? it->second : 0;
    }
};

BadWords::BadWords() = default;
BadWords::~BadWords() = default;
BadWords::BadWords(BadWords&&) noexcept = default;
BadWords& BadWords::operator=(BadWords&&) noexcept = default;

static bool no_boundary_language(std::string_view lang) { return lang == "ja" || lang == "th" || lang == "zh"; }

void BadWords::add_language(const std::string& lang, const std::vector<std::string>& words) {
    static const std::map<std::string, std::set<std::string>, std::less<>> kAllow = {
        {"ja", {"sm", "\u30b0\u30ed", "\u5973\u306e\u5b50"}}, {"zh", {"\u6027"}}};
    auto list = std::make_unique<List>();
    list->no_boundaries = no_boundary_language(lang);
    auto allow = kAllow.find(lang);
    for (const auto& raw : words) {
        std::string w(py_strip(raw));
        // An empty entry would match everywhere; LDNOOBW files have none, but guard anyway.
        if (w.empty()) continue;
        if (allow != kAllow.end() && allow->second.count(w)) continue;
        list->add(w);
    }
    lists_[lang] = std::move(list);
}

BadWords BadWords::load_dir(const std::string& dir) {
    namespace fs = std::filesystem;
    BadWords bw;
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) fail("{}: not a directory (expected one LDNOOBW list per language)", dir);
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir)) {
        if (!e.is_regular_file()) continue;
        std::string name = e.path().filename().string();
        bool tag = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
        });
        if (tag && name.rfind("LICENSE", 0) != 0) files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
        std::string data = read_file(f.string());
        std::vector<std::string> words;
        size_t start = 0;
        for (size_t i = 0; i <= data.size(); i++)
            if (i == data.size() || data[i] == '\n') {
                words.emplace_back(data.substr(start, i - start));
                start = i + 1;
            }
        bw.add_language(f.filename().string(), words);
    }
    LMK_CHECK(!bw.lists_.empty(), "{}: no bad-word lists found", dir);
    return bw;
}

bool BadWords::has_language(std::string_view lang) const { return lists_.find(lang) != lists_.end(); }

std::vector<std::string> BadWords::languages() const {
    std::vector<std::string> out;
    for (const auto& [k, v] : lists_) out.push_back(k);
    return out;
}

Verdict BadWords::check(std::string_view text, std::string_view lang) const {
    auto it = lists_.find(lang);
    if (it == lists_.end()) return std::nullopt;
    const List& L = *it->second;
    std::string lower = to_lower(text);
    std::string_view s = lower;
    bool prev_nonword = true; // start of text counts as a boundary
    size_t i = 0;
    while (i < s.size()) {
        size_t next = i;
        uint32_t cp = next_codepoint(s, next);
        if (L.no_boundaries || prev_nonword) {
            uint32_t n = 0;
            for (size_t k = i; k < s.size(); k++) {
                n = L.step(n, static_cast<unsigned char>(s[k]));
                if (n == 0) break;
                if (L.nodes[n].terminal) {
                    bool right_ok = L.no_boundaries || k + 1 == s.size();
                    if (!right_ok) {
                        size_t q = k + 1;
                        right_ok = !py_isword(next_codepoint(s, q));
                    }
                    if (right_ok)
                        return Rejection{"document_removed_with_badwords",
                                         fmt::format("\"{}\" ({})", L.words[L.nodes[n].word], lang)};
                }
            }
        }
        prev_nonword = !py_isword(cp);
        i = next;
    }
    return std::nullopt;
}

} // namespace lmk
