// dedup: remove duplicate documents (exact, MinHash near-duplicates), duplicate lines and
// sentence spans (C4/T5), or repeated substrings (Lee et al.) from a JSONL corpus.
// The algorithms live in lib/lmk/text/dedup_*.cpp; this file is flags and dispatch.
#include "lmk/core/cli.h"
#include "lmk/core/log.h"
#include "lmk/text/dedup_common.h"

#include <cstdio>
#include <cstdlib>

namespace {

const char* kSummary =
    "Usage: dedup MODE [options] [FILE...]\n\n"
    "Removes duplicates from JSONL documents and writes the kept ones, unchanged and in input order.\n"
    "MODE is one of:\n"
    "  exact    whole documents whose normalized text is identical (128-bit XXH3); the first is kept\n"
    "  minhash  near-duplicates: MinHash over word 5-grams of the simplified text, 14 bands x 8 rows,\n"
    "           union-find clusters; the earliest document of a cluster is kept\n"
    "  lines    C4 line dedup: a line seen before anywhere is removed (--spans 3: T5's three-sentence\n"
    "           spans); documents left with fewer than 3 sentences are dropped\n"
    "  substr   exact-substring dedup (Lee et al. 2022): repeated substrings of --min-bytes or more are\n"
    "           cut from all but their first occurrence";

const char* kExamples =
    "Examples:\n"
    "  dedup exact docs.jsonl.gz -o uniq.jsonl --duplicates dups.jsonl\n"
    "  dedup minhash --verify-jaccard 0.8 --stats st.json a.jsonl b.jsonl > out.jsonl\n"
    "  dedup minhash --explain --bands 20 --rows 5\n"
    "  dedup lines --spans 3 c4.jsonl -o c4.dedup.jsonl\n"
    "  dedup substr --min-bytes 100 docs.jsonl -o out.jsonl\n"
    "  # many machines: every rank runs the same command with its --rank\n"
    "  dedup minhash --stage sign --rank $R --world 8 --work-dir /shared/w FILES...\n"
    "  dedup minhash --stage bucket --rank $R --world 14 --work-dir /shared/w FILES...\n"
    "  dedup minhash --stage cluster --work-dir /shared/w FILES...\n"
    "  dedup minhash --stage filter --rank $R --world 8 --work-dir /shared/w -o 'out/{rank}.jsonl' FILES...";

struct Options {
    std::string mode;
    std::vector<std::string> files;
    std::string output = "-", duplicates, stats;
    std::string text_field = "text", id_field = "id";
    bool strict = false;
    // exact
    std::string normalize = "lower,accents,punct,space"; // digits kept: "4 legs" != "2 legs"
    // minhash
    int bands = 14, rows = 8, ngram = 5;
    double verify_jaccard = 0;
    bool explain = false;
    std::string stage, work_dir;
    int rank = 0, world = 1;
    // lines
    int spans = 0, min_sentences = 3;
    // substr
    size_t min_bytes = 100, min_doc_bytes = 50;
};

void usage_error(const std::string& what) { throw CLI::ValidationError(what); }

int run(Options& o, const lmk::CommonFlags& common) {
    lmk::DedupCorpus corpus{o.files, o.text_field, o.id_field, o.strict, "/tmp"};
    if (const char* t = std::getenv("TMPDIR"); t && *t) corpus.temp_dir = t;
    lmk::DedupOutputs out{o.output, o.duplicates, o.stats};
    bool is_minhash = o.mode == "minhash";
    if (!is_minhash && (!o.stage.empty() || o.verify_jaccard > 0 || o.explain))
        usage_error("--stage, --verify-jaccard and --explain apply to mode minhash only");
    if (o.mode != "lines" && o.spans) usage_error("--spans applies to mode lines only");

    if (o.mode == "exact") {
        lmk::run_exact_dedup(corpus, out, lmk::parse_simplify_steps(o.normalize));
        return 0;
    }
    if (o.mode == "lines") {
        if (o.spans < 0) usage_error("--spans must be positive");
        lmk::run_lines_dedup(corpus, out, {o.spans, o.min_sentences});
        return 0;
    }
    if (o.mode == "substr") {
        if (o.min_bytes < 1) usage_error("--min-bytes must be positive");
        lmk::run_substr_dedup(corpus, out, {o.min_bytes, o.min_doc_bytes});
        return 0;
    }
    // minhash
    lmk::MinHashDedupOptions mo;
    mo.params = {o.bands, o.rows, o.ngram, common.seed, lmk::SimplifyOptions{}};
    mo.verify_jaccard = o.verify_jaccard;
    mo.work_dir = o.work_dir;
    if (o.explain) {
        std::fputs(lmk::lsh_explain(o.bands, o.rows).c_str(), stdout);
        return 0;
    }
    if (o.verify_jaccard < 0 || o.verify_jaccard > 1) usage_error("--verify-jaccard must be in [0, 1]");
    if (o.stage.empty()) {
        if (o.rank != 0 || o.world != 1) usage_error("--rank/--world need --stage");
        lmk::run_minhash_dedup(corpus, out, mo);
        return 0;
    }
    if (o.work_dir.empty()) usage_error("--stage needs --work-dir");
    if (o.files.empty()) usage_error("--stage needs the FILE list (the same on every rank)");
    if (o.world < 1 || o.rank < 0 || o.rank >= o.world) usage_error("need 0 <= --rank < --world");
    lmk::run_minhash_stage(o.stage, o.rank, o.world, corpus, out, mo);
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    Options o;
    return lmk::tool_main(
        argc, argv, {"dedup", kSummary, kExamples},
        [&](CLI::App& app, lmk::CommonFlags& common) {
            common.seed = 1; // datatrove's MinhashConfig default; any fixed value is reproducible
            app.add_option("MODE", o.mode, "exact, minhash, lines or substr")
                ->required()->check(CLI::IsMember({"exact", "minhash", "lines", "substr"}));
            app.add_option("FILE", o.files, "JSONL inputs (.gz/.zst read by magic); - is stdin");
            const char* io = "Input and output";
            app.add_option("-o,--output", o.output, "kept documents (default stdout)")->group(io);
            app.add_option("--duplicates", o.duplicates, "write removed documents/spans here, with dup_of and cluster")->group(io);
            app.add_option("--stats", o.stats, "write counters as one JSON object here")->group(io);
            app.add_option("--text-field", o.text_field, "field holding the text")->group(io);
            app.add_option("--id-field", o.id_field, "field naming a document in dup_of")->group(io);
            app.add_flag("--strict", o.strict, "the first malformed line is fatal")->group(io);
            const char* ex = "exact";
            app.add_option("--normalize", o.normalize, "steps before hashing: a comma list of lower,accents,digits,punct,space; all; none")->group(ex);
            const char* mh = "minhash";
            app.add_option("--bands", o.bands, "LSH bands")->group(mh)->check(CLI::Range(1, 512));
            app.add_option("--rows", o.rows, "hashes per band")->group(mh)->check(CLI::Range(1, 512));
            app.add_option("--ngram", o.ngram, "words per shingle")->group(mh)->check(CLI::Range(1, 64));
            app.add_option("--verify-jaccard", o.verify_jaccard, "keep only candidate pairs whose exact Jaccard is >= T (0 = off)")->group(mh);
            app.add_flag("--explain", o.explain, "print the S-curve of --bands/--rows and exit")->group(mh);
            app.add_option("--stage", o.stage, "run one stage of a distributed run")->group(mh)
                ->check(CLI::IsMember({"sign", "bucket", "cluster", "filter"}));
            app.add_option("--rank", o.rank, "this worker's rank")->group(mh);
            app.add_option("--world", o.world, "number of workers in this stage")->group(mh);
            app.add_option("--work-dir", o.work_dir, "directory of stage files (default: a temporary one)")->group(mh);
            const char* ln = "lines";
            app.add_option("--spans", o.spans, "dedup spans of N sentences instead of lines (T5: 3)")->group(ln);
            app.add_option("--min-sentences", o.min_sentences, "drop a cut document left with fewer sentences")->group(ln);
            const char* ss = "substr";
            app.add_option("--min-bytes", o.min_bytes, "shortest repeated substring removed")->group(ss);
            app.add_option("--min-doc-bytes", o.min_doc_bytes, "drop a cut document left shorter than this")->group(ss);
        },
        [&](const lmk::CommonFlags& common) { return run(o, common); });
}
