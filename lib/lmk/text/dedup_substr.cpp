// text/dedup_substr.cpp: exact-substring dedup (Lee et al. 2022, "Deduplicating Training Data
// Makes Language Models Better") over one suffix array of the whole corpus.
//
// Pass 1 concatenates every document's text, each followed by a 0xFF byte (never part of
// valid UTF-8, and the reader repairs invalid input), and builds the suffix array. For every
// position p, longest_previous_factor() gives the longest substring starting at p that also
// starts somewhere earlier; when it is at least min_bytes long, [p, p + length) is cut. The
// union of these cuts is exactly "every repeat of min_bytes or more, except its first
// occurrence". Cuts are widened to whole UTF-8 characters so output stays valid. Pass 2
// re-reads the input and writes each document with its cuts removed; a document cut below
// min_doc_bytes is dropped. Each cut is reported in --duplicates with the document holding
// the earlier occurrence of its first bytes as dup_of/cluster.
//
// Memory at the peak: the corpus (n bytes) + suffix array (4n) + two neighbour arrays (8n):
// 13 bytes per text byte, so about 1.7 GB of text on a 24 GB machine (the 32-bit suffix
// array caps a run at 2 GiB of text anyway). Lee et al.'s Rust tool runs in pieces to go
// further; here the limit is stated and checked.
#include "lmk/core/error.h"
#include "lmk/core/log.h"
#include "lmk/text/dedup_internal.h"
#include "lmk/text/suffix_array.h"

#include <algorithm>

namespace lmk {
namespace {

constexpr char kSeparator = '\xff';

struct Cut {
    int32_t begin, end;  // in corpus coordinates
    int32_t source;      // an earlier occurrence of the bytes at begin
};

inline bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

} // namespace

DedupStats run_substr_dedup(const DedupCorpus& corpus, const DedupOutputs& out, const SubstrDedupOptions& opts) {
    dedup::Stopwatch clock;
    DedupStats st;
    st.mode = "substr";
    LMK_CHECK(opts.min_bytes >= 1, "substr: --min-bytes must be positive");
    dedup::SpooledFiles files(corpus, true);

    // Pass 1: the corpus text, document starts (by position) and ids.
    std::string text;
    std::vector<int64_t> doc_start;      // corpus offset of each document's text; -1 without text
    std::vector<int32_t> text_doc_pos;   // for documents with text, in corpus order: their position
    std::vector<int32_t> text_doc_begin; // ... and their corpus offset (sorted)
    std::string ids;
    std::vector<uint64_t> id_offset{0};
    {
        dedup::DocReader docs(corpus, files.paths());
        while (docs.next()) {
            auto t = docs.text();
            std::string id = docs.id_json();
            ids += id;
            id_offset.push_back(ids.size());
            if (!t) {
                doc_start.push_back(-1);
                continue;
            }
            LMK_CHECK(text.size() + t->size() + 1 < size_t(INT32_MAX),
                      "substr: the corpus text exceeds 2 GiB, the limit of one run", "split the input and dedup parts");
            doc_start.push_back(int64_t(text.size()));
            text_doc_pos.push_back(int32_t(docs.position()));
            text_doc_begin.push_back(int32_t(text.size()));
            text += *t;
            text += kSeparator;
        }
        st.documents = doc_start.size();
        st.no_text = docs.no_text();
        st.add_reader(docs.malformed(), docs.utf8_replaced());
    }
    st.bytes_in = text.size() - text_doc_pos.size();
    log_info("substr: {} documents, {} bytes of text; building the suffix array (~{} MB)", st.documents,
             st.bytes_in, (text.size() * 13) >> 20);

    std::vector<Cut> cuts;
    {
        PreviousFactors f = longest_previous_factor(text, suffix_array(text), kSeparator);
        const int32_t n = int32_t(text.size());
        int32_t open_end = -1;
        for (int32_t p = 0; p < n; ++p) {
            int32_t len = f.length[size_t(p)];
            if (size_t(len) < opts.min_bytes) continue;
            int32_t b = p, e = p + len;
            while (b > 0 && is_continuation(text[size_t(b)])) --b;
            while (e < n && is_continuation(text[size_t(e)])) ++e;
            if (!cuts.empty() && b <= open_end) {
                cuts.back().end = std::max(cuts.back().end, e);
            } else {
                cuts.push_back({b, e, f.source[size_t(p)]});
            }
            open_end = cuts.back().end;
        }
    }
    auto doc_of_offset = [&](int32_t off) {
        auto it = std::upper_bound(text_doc_begin.begin(), text_doc_begin.end(), off);
        return size_t(it - text_doc_begin.begin()) - 1;
    };
    auto id_at = [&](size_t position) {
        return std::string_view(ids).substr(id_offset[position], id_offset[position + 1] - id_offset[position]);
    };

    // Pass 2: rewrite.
    dedup::DocReader docs(corpus, files.paths(), false);
    dedup::DedupWriter writer(out);
    std::vector<bool> cluster_seen(st.documents, false);
    size_t next_cut = 0;
    while (docs.next()) {
        uint64_t pos = docs.position();
        auto t = docs.rec().get_string(corpus.text_field);
        if (!t || doc_start[pos] < 0) {
            ++st.kept;
            writer.keep(docs.rec());
            continue;
        }
        int32_t begin = int32_t(doc_start[pos]), end = begin + int32_t(t->size());
        std::string kept;
        int32_t at = begin;
        bool cut_any = false;
        std::string_view first_dup_of;
        uint64_t first_cluster = 0;
        while (next_cut < cuts.size() && cuts[next_cut].begin < end) {
            const Cut& c = cuts[next_cut++];
            int32_t cb = std::max(c.begin, begin), ce = std::min(c.end, end);
            if (ce <= cb) continue;
            size_t src_doc = doc_of_offset(c.source);
            uint64_t src_pos = uint64_t(text_doc_pos[src_doc]);
            if (!cut_any) {
                first_dup_of = id_at(src_pos);
                first_cluster = src_pos;
            }
            cut_any = true;
            kept.append(text, size_t(at), size_t(cb - at));
            at = ce;
            ++st.spans_removed;
            if (!cluster_seen[src_pos]) {
                cluster_seen[src_pos] = true;
                ++st.clusters;
            }
            writer.removed_span(docs.id_json(), size_t(cb - begin), size_t(ce - begin),
                                std::string_view(text).substr(size_t(cb), size_t(ce - cb)), id_at(src_pos), src_pos);
        }
        if (!cut_any) {
            ++st.kept;
            writer.keep(docs.rec());
            continue;
        }
        kept.append(text, size_t(at), size_t(end - at));
        st.bytes_removed += t->size() - kept.size();
        if (kept.size() < opts.min_doc_bytes) {
            ++st.dropped_short;
            st.bytes_removed += kept.size();
            writer.removed(docs.rec(), first_dup_of, first_cluster,
                           {{"dedup_reason", json_string(fmt::format("{} bytes left after removing repeated substrings", kept.size()))}});
            continue;
        }
        ++st.modified;
        ++st.kept;
        writer.keep_with_text(docs.rec(), corpus.text_field, kept);
    }
    writer.commit();
    st.seconds = clock.seconds();
    dedup::write_stats(out.stats, st);
    dedup::log_summary(st);
    return st;
}

} // namespace lmk
