// text/dedup_lines.cpp: C4 line dedup and T5 sentence-span dedup, one streaming pass.
//
// The first occurrence of a line (or span) in input order is the one kept, so like exact mode
// this needs no second pass. State: per distinct key, a 128-bit hash and the position of the
// document that has it first (32 bytes plus hash-table overhead), and the ids of documents
// that contributed a key.
//
// TFDS's C4 picks the surviving copy of a line by a hash of the URL; keeping the first in
// input order is equally deterministic and lets the pass stream. Its sentence count uses a
// trained tokenizer; split_sentences() is the punctuation rule documented in the header.
#include "lmk/core/error.h"
#include "lmk/core/log.h"
#include "lmk/core/utf8.h"
#include "lmk/text/dedup_internal.h"

#include <unordered_map>
#include <xxhash.h>

namespace lmk {
namespace {

// Horizontal whitespace a line or sentence is trimmed of (ASCII, NBSP, ideographic space).
size_t space_len(std::string_view s, size_t i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') return 1;
    if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xA0) return 2;
    if (c == 0xE3 && i + 2 < s.size() && s.compare(i, 3, "\xE3\x80\x80") == 0) return 3;
    if (c == 0xE2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80) {
        unsigned char d = static_cast<unsigned char>(s[i + 2]);
        if (d <= 0x8A || d == 0xAF) return 3; // U+2000..U+200A, U+202F
    }
    return 0;
}

std::string_view strip(std::string_view s, size_t* lead = nullptr) {
    size_t b = 0, e = s.size();
    while (b < e) {
        size_t n = space_len(s, b);
        if (!n) break;
        b += n;
    }
    // Trailing: step back over single-byte spaces and the multi-byte ones above.
    while (e > b) {
        size_t n = 0;
        for (size_t k : {size_t(1), size_t(2), size_t(3)})
            if (e >= b + k && space_len(s, e - k) == k) {
                n = k;
                break;
            }
        if (!n) break;
        e -= n;
    }
    if (lead) *lead = b;
    return s.substr(b, e - b);
}

bool is_terminal(uint32_t cp) { return cp == '.' || cp == '!' || cp == '?' || cp == 0x3002 || cp == 0xFF01 || cp == 0xFF1F; }
bool is_closer(uint32_t cp) {
    return cp == '"' || cp == '\'' || cp == ')' || cp == ']' || cp == 0x201D || cp == 0x2019 || cp == 0xBB ||
           cp == 0x300D || cp == 0x300F;
}
bool is_cjk_terminal(uint32_t cp) { return cp == 0x3002 || cp == 0xFF01 || cp == 0xFF1F; }

uint32_t cp_at(std::string_view s, size_t i, size_t* len) {
    uint32_t cp = 0;
    size_t n = utf8_decode(s.data() + i, s.size() - i, &cp);
    if (n == 0) n = 1, cp = 0xFFFD;
    *len = n;
    return cp;
}

} // namespace

std::vector<std::pair<size_t, size_t>> split_sentences(std::string_view text) {
    std::vector<std::pair<size_t, size_t>> out;
    size_t start = 0, i = 0, n = text.size();
    auto close = [&](size_t end) {
        if (end > start) {
            size_t lead = 0;
            std::string_view s = strip(text.substr(start, end - start), &lead);
            if (!s.empty()) out.emplace_back(start + lead, start + lead + s.size());
        }
        start = end;
    };
    while (i < n) {
        if (text[i] == '\n') {
            close(i);
            start = ++i;
            continue;
        }
        size_t len;
        uint32_t cp = cp_at(text, i, &len);
        if (!is_terminal(cp)) {
            i += len;
            continue;
        }
        bool cjk = is_cjk_terminal(cp);
        size_t j = i + len;
        while (j < n) {
            size_t l2;
            uint32_t c2 = cp_at(text, j, &l2);
            if (!is_terminal(c2) && !is_closer(c2)) break;
            cjk = cjk || is_cjk_terminal(c2);
            j += l2;
        }
        if (j >= n || text[j] == '\n' || space_len(text, j) || cjk) close(j);
        i = j;
    }
    close(n);
    return out;
}

DedupStats run_lines_dedup(const DedupCorpus& corpus, const DedupOutputs& out, const LinesDedupOptions& opts) {
    dedup::Stopwatch clock;
    DedupStats st;
    st.mode = opts.spans > 0 ? "spans" : "lines";
    dedup::SpooledFiles files(corpus, false);
    dedup::DocReader docs(corpus, files.paths());
    dedup::DedupWriter writer(out);

    struct Owner {
        uint64_t position;
        uint64_t id_offset;
        uint32_t id_length;
    };
    std::unordered_map<XXH128_hash_t, Owner, dedup::Hash128, dedup::Eq128> seen;
    std::unordered_map<uint64_t, bool> cluster_seen; // positions whose keys were repeated
    std::string ids, key_text;
    SimplifyOptions lower{true, false, false, false, false};
    SimplifyOptions lower_space{true, false, false, false, true};

    struct Cut {
        size_t begin, end;        // bytes removed from the text
        size_t shown_begin, shown_end; // the duplicated line/span, for the duplicates file
        Owner owner;
    };
    std::vector<Cut> cuts;
    std::vector<std::pair<size_t, size_t>> units; // lines or sentences: [begin, end)

    while (docs.next()) {
        ++st.documents;
        auto text_opt = docs.text();
        if (!text_opt) {
            ++st.kept;
            writer.keep(docs.rec());
            continue;
        }
        std::string_view text = *text_opt;
        st.bytes_in += text.size();
        cuts.clear();
        std::optional<Owner> first_owner; // of the first duplicate found: "dup_of" if dropped
        std::optional<Owner> self; // this document as an owner of keys (id stored once)
        auto me = [&]() -> Owner {
            if (!self) {
                std::string id = docs.id_json();
                self = Owner{docs.position(), ids.size(), uint32_t(id.size())};
                ids += id;
            }
            return *self;
        };
        auto lookup = [&](std::string_view normalized_key) -> std::optional<Owner> {
            XXH128_hash_t h = XXH3_128bits(normalized_key.data(), normalized_key.size());
            auto it = seen.find(h);
            if (it != seen.end()) return it->second;
            seen.emplace(h, me());
            return std::nullopt;
        };
        units.clear();
        if (opts.spans <= 0) {
            // Lines: [begin, end) without the '\n'; a removed line takes its '\n' with it.
            size_t b = 0;
            while (b <= text.size()) {
                size_t e = text.find('\n', b);
                if (e == std::string_view::npos) e = text.size();
                std::string_view stripped = strip(text.substr(b, e - b));
                if (!stripped.empty()) {
                    simplify_text_into(stripped, key_text, lower);
                    if (auto owner = lookup(key_text)) {
                        size_t cut_end = e < text.size() ? e + 1 : e;
                        cuts.push_back({b, cut_end, b, e, *owner});
                        if (!first_owner) first_owner = owner;
                    }
                }
                if (e == text.size()) break;
                b = e + 1;
            }
        } else {
            units = split_sentences(text);
            size_t n = units.size(), span = size_t(opts.spans);
            std::vector<char> removed(n, 0);
            std::vector<std::pair<size_t, Owner>> dup_spans;
            for (size_t i = 0; i + span <= n; ++i) {
                key_text.clear();
                std::string part;
                for (size_t k = i; k < i + span; ++k) {
                    simplify_text_into(text.substr(units[k].first, units[k].second - units[k].first), part, lower_space);
                    key_text += part;
                    key_text += '\n';
                }
                if (auto owner = lookup(key_text)) {
                    dup_spans.emplace_back(i, *owner);
                    if (!first_owner) first_owner = owner;
                    for (size_t k = i; k < i + span; ++k) removed[k] = 1;
                }
            }
            // Cut each removed sentence up to the next sentence's start (its trailing space).
            for (size_t k = 0; k < n; ++k) {
                if (!removed[k]) continue;
                size_t end = k + 1 < n ? units[k + 1].first : text.size();
                cuts.push_back({units[k].first, end, 0, 0, Owner{}});
            }
            // The duplicates file gets one record per duplicated span (they may overlap).
            for (auto& [i, owner] : dup_spans) {
                size_t b = units[i].first, e = units[i + span - 1].second;
                ++st.spans_removed;
                writer.removed_span(docs.id_json(), b, e, text.substr(b, e - b),
                                    std::string_view(ids).substr(owner.id_offset, owner.id_length), owner.position);
                if (cluster_seen.emplace(owner.position, true).second) ++st.clusters;
            }
        }
        if (cuts.empty()) {
            ++st.kept;
            writer.keep(docs.rec());
            continue;
        }
        if (opts.spans <= 0) {
            for (const Cut& c : cuts) {
                ++st.spans_removed;
                writer.removed_span(docs.id_json(), c.shown_begin, c.shown_end,
                                    text.substr(c.shown_begin, c.shown_end - c.shown_begin),
                                    std::string_view(ids).substr(c.owner.id_offset, c.owner.id_length), c.owner.position);
                if (cluster_seen.emplace(c.owner.position, true).second) ++st.clusters;
            }
        }
        std::string kept_text;
        size_t at = 0;
        for (const Cut& c : cuts) {
            if (c.begin > at) kept_text.append(text.substr(at, c.begin - at));
            at = std::max(at, c.end);
        }
        if (at < text.size()) kept_text.append(text.substr(at));
        while (!kept_text.empty() && (kept_text.back() == '\n' || kept_text.back() == ' ' || kept_text.back() == '\t' || kept_text.back() == '\r'))
            kept_text.pop_back();
        st.bytes_removed += text.size() - kept_text.size();
        size_t left = split_sentences(kept_text).size();
        if (int64_t(left) < opts.min_sentences) {
            ++st.dropped_short;
            st.bytes_removed += kept_text.size();
            const Owner& o = *first_owner;
            writer.removed(docs.rec(), std::string_view(ids).substr(o.id_offset, o.id_length), o.position,
                           {{"dedup_reason", json_string(fmt::format("{} sentences left after removing duplicates", left))}});
            continue;
        }
        ++st.modified;
        ++st.kept;
        writer.keep_with_text(docs.rec(), corpus.text_field, kept_text);
    }
    dedup::finish_pass(writer, docs, st, clock, out.stats);
    return st;
}

} // namespace lmk
