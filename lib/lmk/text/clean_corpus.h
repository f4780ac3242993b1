// text/clean_corpus.h: the clean-corpus job: read documents, run the pipeline in parallel,
// write kept and rejected documents in input order, count everything.
//
// Inputs (format found from the first decompressed bytes, never the name): JSONL documents
// (`{"text": ...}` per line; every field is kept), WET files (WARC "conversion" records) and
// WARC files ("response" records whose HTTP payload is HTML, text extracted with
// text/html_extract.h). Other WARC record types (warcinfo, request, metadata), non-HTML and
// non-200 responses are not documents: they are skipped and counted in InputStats. Damaged
// input (truncated gzip, broken headers, short bodies, malformed JSON lines) is reported by
// the readers as `file: ...` and counted; with strict set the first problem throws.
//
// Output documents are JSON objects: for JSONL input the input's fields in their order with
// "text" replaced and "lang", "lang_score" set (and "id" added as "xxh3:<16 hex>" of the input
// text when the record has none); for WARC input
//   {"id": WARC-Record-ID without <>, "text", "url": WARC-Target-URI, "date": WARC-Date,
//    "lang", "lang_score"}.
// lang_score is null when the language came from the WARC header. A rejected document is
// written to the rejected stream as its input (original text) plus
// "reject": {"filter", "reason", "detail"}.
// Invariant, checked by the tests: stats.docs_in == stats.kept + stats.rejected, and each
// rejected document is counted under exactly one filter and reason.
//
// Parallelism: a oneTBB pipeline reads batches of documents in order, filters batches in
// parallel and writes them in order, so the bytes written do not depend on the thread count.
//
//   lmk::CleanJob job{files, &pipeline};
//   job.out = out.get(); job.rejected = rej.get();
//   lmk::CleanSummary s = lmk::run_clean(job);
//   lmk::write_file("stats.json", lmk::stats_json(s));
#pragma once
#include "lmk/io/file.h"
#include "lmk/text/pipeline.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace lmk {

enum class InputFormat { jsonl, warc };

// From the first bytes of the decompressed stream: "WARC/" -> warc, otherwise jsonl.
InputFormat detect_input_format(const std::string& path);

struct InputStats {
    uint64_t files = 0;
    uint64_t jsonl_records = 0, malformed_lines = 0, blank_lines = 0;
    uint64_t warc_records = 0, warc_truncated = 0, warc_damaged_members = 0, warc_garbage_bytes = 0,
             warc_bad_headers = 0;
    uint64_t utf8_replaced = 0;
    std::map<std::string, uint64_t> skipped; // records that are not documents, by why
};

struct CleanJob {
    std::vector<std::string> inputs;
    const Pipeline* pipeline = nullptr;
    Output* out = nullptr;      // kept documents (required)
    Output* rejected = nullptr; // rejected documents (optional)
    bool strict = false;
    std::string text_field = "text";
    std::string id_field = "id";
    size_t batch_docs = 256;
    size_t batch_bytes = size_t(8) << 20;
};

struct CleanSummary {
    PipelineStats docs;
    InputStats input;
    double seconds = 0;
    int threads = 0;
};

CleanSummary run_clean(const CleanJob& job);
std::string stats_json(const CleanSummary& s); // pretty-printed, "\n"-terminated

} // namespace lmk
