// text/dedup_common.h: the corpus-level deduplication passes behind the `dedup` tool.
//
// Every mode reads JSONL documents from one or more files (in order; "-" is standard input),
// numbers the well-formed records 0, 1, 2, ... across all files (the document's *position*),
// and writes:
//   - the kept documents, in input order, byte-identical to their input lines (the modes that
//     edit text, lines/spans/substr, rewrite only the text field of the documents they cut);
//   - optionally (--duplicates) every removed document — or removed span — with two fields
//     added: "dup_of" (the id field of the document it duplicates, copied as raw JSON; the
//     position number when that document has no id) and "cluster" (the position of the kept
//     document of its cluster: every member of a cluster carries the same number);
//   - optionally (--stats) one JSON object of counters.
// The kept member of a cluster is always the one with the lowest position. Results depend
// only on the input and the parameters, never on the thread count.
//
// Modes:
//   exact    whole-document duplicates: 128-bit XXH3 of the normalized text (SimplifyOptions).
//   minhash  near-duplicates (text/minhash.h) found by LSH bands, optionally verified by exact
//            Jaccard, clustered by union-find. Runs as four file-based stages over a work
//            directory (sign, bucket, cluster, filter: see run_minhash_stage), either all in
//            one process or spread over machines by rank; both give byte-identical output.
//   lines    C4's corpus-wide line dedup: a line (key: lowercase of the whitespace-stripped
//            line, 128-bit XXH3) seen before anywhere in the corpus is removed; blank lines are
//            never keys. spans: the T5 paper's variant over spans of N consecutive sentences.
//            A document that lost something and has fewer than min_sentences sentences left
//            is dropped.
//   substr   exact-substring dedup (Lee et al. 2022) over a suffix array of the whole corpus.
//
//   lmk::DedupCorpus corpus{.files = {"a.jsonl", "b.jsonl.gz"}};
//   lmk::DedupOutputs out{.output = "-", .duplicates = "dups.jsonl"};
//   lmk::DedupStats st = lmk::run_exact_dedup(corpus, out, lmk::SimplifyOptions{});
#pragma once
#include "lmk/text/minhash.h"
#include "lmk/text/simplify.h"

#include <cstdint>
#include <string>
#include <vector>

namespace lmk {

struct DedupCorpus {
    std::vector<std::string> files;  // "-" = standard input (spooled to temp_dir when re-read)
    std::string text_field = "text";
    std::string id_field = "id";
    bool strict = false;             // first malformed line is fatal
    std::string temp_dir = "/tmp";   // where standard input is spooled for two-pass modes
};

struct DedupOutputs {
    std::string output = "-";   // kept documents
    std::string duplicates;     // removed documents / spans ("" = not written)
    std::string stats;          // JSON counters ("" = not written)
};

// Counters of one run (also written as --stats JSON).
struct DedupStats {
    std::string mode;
    uint64_t documents = 0;        // well-formed records read
    uint64_t kept = 0;             // documents written to the output (modified ones included)
    uint64_t removed = 0;          // whole documents removed as duplicates
    uint64_t modified = 0;         // documents kept with some text cut out
    uint64_t dropped_short = 0;    // documents dropped because too little was left
    uint64_t spans_removed = 0;    // lines/spans/substrings cut out
    uint64_t bytes_in = 0;         // text bytes read
    uint64_t bytes_removed = 0;    // text bytes not written (removed docs, cut spans)
    uint64_t clusters = 0;         // clusters with at least two members
    uint64_t malformed = 0;        // malformed JSON lines (skipped)
    uint64_t no_text = 0;          // records without a string text field (kept, never duplicates)
    uint64_t utf8_replaced = 0;
    uint64_t candidate_pairs = 0;  // minhash: pairs from LSH buckets
    uint64_t verified_pairs = 0;   // minhash: candidates whose Jaccard was computed
    uint64_t rejected_pairs = 0;   // minhash: candidates below the Jaccard threshold
    uint64_t no_signature = 0;     // minhash: documents with no shingle
    double seconds = 0;
    std::string to_json() const;
    void add_reader(uint64_t malformed_lines, uint64_t utf8_replaced_chars);
};

DedupStats run_exact_dedup(const DedupCorpus& corpus, const DedupOutputs& out, const SimplifyOptions& norm);

struct LinesDedupOptions {
    int spans = 0;            // 0: line mode; N > 0: spans of N sentences
    int min_sentences = 3;    // a document that lost text and has fewer left is dropped
};
DedupStats run_lines_dedup(const DedupCorpus& corpus, const DedupOutputs& out, const LinesDedupOptions& opts);

// Sentence boundaries as byte ranges [begin, end) of text (leading whitespace excluded):
// a sentence ends after a run of . ! ? (or the CJK 。！？), with closing quotes/brackets, that
// is followed by whitespace or the end; a line break also ends one. Blank stretches are not
// sentences. Used by lines mode for its sentence counts and by spans mode.
std::vector<std::pair<size_t, size_t>> split_sentences(std::string_view text);

struct MinHashDedupOptions {
    MinHashParams params{};
    double verify_jaccard = 0;  // > 0: keep only candidate pairs with exact Jaccard >= this
    std::string work_dir;       // "" = a temporary directory, removed afterwards
};

// One process: all four stages in order.
DedupStats run_minhash_dedup(const DedupCorpus& corpus, const DedupOutputs& out, const MinHashDedupOptions& opts);

// One stage of a distributed run (DESIGN.md §5). Every rank is given the same FILE list and
// work directory (a shared file system); files are split into `world` contiguous ranges.
//   sign    rank r of W: signatures of its files -> WORK/sign/band-BBB/RRRRR.sig (sorted LSH
//           keys), RRRRR.docs (documents per file), RRRRR.ids, RRRRR.shingles (if verifying).
//   bucket  rank r of W: bands b with b % W == r: merges the sorted band files and writes
//           the candidate pairs -> WORK/bucket/band-BBB.pairs.
//   cluster one process (rank 0 of 1): union-find over the pairs (verifying them if asked)
//           -> WORK/cluster/RRRRR.remove per sign rank (position, cluster, dup_of).
//   filter  rank r of W (W = the sign stage's world): re-reads its files and writes kept and
//           removed documents; `{rank}` in the output names is replaced by the 5-digit rank.
// Each stage writes files atomically and then a completion marker; a stage whose marker
// exists is skipped, so a failed job array is simply resubmitted. Stages check that the
// work directory was made with the same parameters and file list.
DedupStats run_minhash_stage(const std::string& stage, int rank, int world, const DedupCorpus& corpus,
                             const DedupOutputs& out, const MinHashDedupOptions& opts);

struct SubstrDedupOptions {
    size_t min_bytes = 100;      // shortest repeated substring removed
    size_t min_doc_bytes = 50;   // a document cut below this many text bytes is dropped
};
// Memory: about 13 bytes per input text byte at the peak (text, suffix array, two
// neighbour arrays: see text/suffix_array.h); inputs up to 2^31 - 1 bytes.
DedupStats run_substr_dedup(const DedupCorpus& corpus, const DedupOutputs& out, const SubstrDedupOptions& opts);

} // namespace lmk
