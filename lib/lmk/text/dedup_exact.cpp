// text/dedup_exact.cpp: whole-document exact dedup in one streaming pass.
//
// Keeping the first occurrence means a document's fate is known when it is read, so the pass
// writes as it goes and never re-reads. State: per distinct text, its 128-bit hash, the
// position of its first document and that document's id (for "dup_of") — about 40 bytes
// plus the id's length per distinct document. A 128-bit collision (p ~ n^2 / 2^129) is
// negligible at any corpus size.
#include "lmk/core/error.h"
#include "lmk/core/log.h"
#include "lmk/text/dedup_internal.h"

#include <unordered_map>
#include <xxhash.h>

namespace lmk {
namespace {

struct FirstSeen {
    uint64_t position;
    uint64_t id_offset;  // into the id arena
    uint32_t id_length;
    bool has_copies;     // counts the cluster once
};

} // namespace

DedupStats run_exact_dedup(const DedupCorpus& corpus, const DedupOutputs& out, const SimplifyOptions& norm) {
    dedup::Stopwatch clock;
    DedupStats st;
    st.mode = "exact";
    dedup::SpooledFiles files(corpus, false);
    dedup::DocReader docs(corpus, files.paths());
    dedup::DedupWriter writer(out);
    std::unordered_map<XXH128_hash_t, FirstSeen, dedup::Hash128, dedup::Eq128> seen;
    std::string ids;  // arena of the first documents' ids
    std::string normalized;
    while (docs.next()) {
        ++st.documents;
        auto text = docs.text();
        if (!text) {
            ++st.kept;
            writer.keep(docs.rec());
            continue;
        }
        st.bytes_in += text->size();
        simplify_text_into(*text, normalized, norm);
        XXH128_hash_t h = XXH3_128bits(normalized.data(), normalized.size());
        auto [it, fresh] = seen.try_emplace(h, FirstSeen{docs.position(), ids.size(), 0, false});
        if (fresh) {
            std::string id = docs.id_json();
            it->second.id_length = uint32_t(id.size());
            ids += id;
            ++st.kept;
            writer.keep(docs.rec());
            continue;
        }
        FirstSeen& first = it->second;
        if (!first.has_copies) {
            first.has_copies = true;
            ++st.clusters;
        }
        ++st.removed;
        st.bytes_removed += text->size();
        writer.removed(docs.rec(), std::string_view(ids).substr(first.id_offset, first.id_length), first.position);
    }
    dedup::finish_pass(writer, docs, st, clock, out.stats);
    return st;
}

} // namespace lmk
