// io/inspect.h: say what a file is (detected by content, never by name) and summarise it.
//
// Formats recognised, in detection order: WARC/WET ("WARC/" at the start of the decompressed
// stream), llm.c token shard (int32 magic 20240520), safetensors (uint64 header length then
// '{'), JSONL (first line is a JSON object), tokenizer.json (one JSON object with a "model"
// object), other JSON, UTF-8 text, binary. gzip and zstd are looked through (by magic) for
// the streaming formats; shards and safetensors are memory-mapped, so they must be plain.
//
// The summary is a small ordered tree (InspectValue) rendered either as indented text for
// people or as one JSON object per file for machines; both renderings come from the same
// tree, so they never disagree. Damage inside a readable file (malformed JSONL lines,
// truncated WARC members) is counted in the summary and logged as warnings; only a file that
// cannot be read at all (missing, corrupt header) makes the result !ok.
//
//   lmk::InspectResult r = lmk::inspect_file("CC-MAIN-...warc.wet.gz", {});
//   if (r.ok) std::cout << lmk::render_text(r);      // "x.wet.gz: WET (gzip)\n  records: 3\n..."
//   else      lmk::log_error("{}", r.error);
//   std::cout << lmk::render_json(r) << "\n";        // {"file":"x.wet.gz","format":"wet",...}
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace lmk {

struct InspectValue;
using InspectObject = std::vector<std::pair<std::string, InspectValue>>; // ordered fields
using InspectArray = std::vector<InspectValue>;

struct InspectValue {
    std::variant<uint64_t, int64_t, double, bool, std::string, InspectObject, InspectArray> v;
    InspectValue(uint64_t x) : v(x) {}
    InspectValue(int64_t x) : v(x) {}
    InspectValue(int x) : v(int64_t(x)) {}
    InspectValue(double x) : v(x) {}
    InspectValue(bool x) : v(x) {}
    InspectValue(std::string x) : v(std::move(x)) {}
    InspectValue(const char* x) : v(std::string(x)) {}
    InspectValue(InspectObject x) : v(std::move(x)) {}
    InspectValue(InspectArray x) : v(std::move(x)) {}
};

struct InspectOptions {
    int64_t eot = -1;          // token shards: also count this id (documents), if >= 0
    size_t max_list = 1000;    // at most this many entries in an open-ended list or count map
};

struct InspectResult {
    std::string path;          // as given ("-" for standard input)
    bool ok = false;
    std::string error;         // why the file could not be read (when !ok)
    std::string format;        // "jsonl", "warc", "wet", "shard", "safetensors", "tokenizer.json",
                               // "json", "text", "binary", "empty"
    std::string label;         // human name of the format: "JSONL", "WARC", "llm.c token shard", ...
    std::string compression;   // "none", "gzip", "zstd"
    InspectObject summary;     // format-specific facts, in display order
};

// Never throws for bad data: a failure is returned as !ok with the message in error.
InspectResult inspect_file(const std::string& path, const InspectOptions& opts);

// "PATH: LABEL (compression)\n" then "  key: value" lines (nested values indented further).
std::string render_text(const InspectResult& r);
// One JSON object, no trailing newline: {"file", "format", "compression", ...summary} or
// {"file", "error"} when !ok.
std::string render_json(const InspectResult& r);

} // namespace lmk
