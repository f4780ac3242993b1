// text/dedup_internal.h: pieces the dedup_*.cpp passes share (not a public API).
//
// DocReader walks the corpus files in order and numbers well-formed records; DedupWriter owns
// the kept/duplicates outputs and writes records unchanged, with a replaced text field, or
// with "dup_of"/"cluster" added; SpooledFiles turns "-" into a re-readable temporary file.
// Binary work files (minhash stages) start with a 16-byte header: 8 magic bytes "LMKDEDUP",
// uint32 version (1), uint32 record kind; then little-endian fixed-size records.
#pragma once
#include "lmk/io/file.h"
#include "lmk/io/jsonl.h"
#include "lmk/text/dedup_common.h"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>
#include <xxhash.h>

namespace lmk::dedup {

// Replaces "-" by a temporary copy of standard input when the files are read twice.
class SpooledFiles {
public:
    SpooledFiles(const DedupCorpus& corpus, bool reread);
    ~SpooledFiles();
    SpooledFiles(const SpooledFiles&) = delete;
    SpooledFiles& operator=(const SpooledFiles&) = delete;
    const std::vector<std::string>& paths() const { return paths_; }
    std::string display_name(size_t i) const; // "<stdin>" for a spooled file

private:
    std::vector<std::string> paths_, temps_;
    std::vector<bool> spooled_;
};

class DocReader {
public:
    // Reads files[first, last) in order. Positions start at `first_position`.
    DocReader(const DedupCorpus& corpus, std::vector<std::string> files, bool log_malformed = true,
              uint64_t first_position = 0);
    bool next();               // false after the last record of the last file
    JsonlReader& rec() { return *reader_; }
    uint64_t position() const { return pos_; }   // of the current record
    size_t file_index() const { return file_; }  // index into the files given
    uint64_t doc_in_file() const { return in_file_ - 1; } // 0-based
    // The text field of the current record; nullopt (counted, warned) when absent or not a string.
    std::optional<std::string_view> text();
    // The id field's raw JSON, or the position as a JSON number when absent.
    std::string id_json();
    uint64_t malformed() const { return malformed_ + (reader_ ? reader_->malformed() : 0); }
    uint64_t utf8_replaced() const { return replaced_ + (reader_ ? reader_->utf8_replaced() : 0); }
    uint64_t no_text() const { return no_text_; }

private:
    const DedupCorpus& corpus_;
    std::vector<std::string> files_;
    bool log_malformed_;
    std::unique_ptr<JsonlReader> reader_;
    size_t file_ = 0;
    uint64_t pos_, in_file_ = 0;
    bool started_ = false;
    uint64_t malformed_ = 0, replaced_ = 0, no_text_ = 0;
};

class DedupWriter {
public:
    DedupWriter(const DedupOutputs& out);
    void keep(const JsonlReader& rec) { kept_->write_record(rec); }
    void keep_with_text(const JsonlReader& rec, const std::string& text_field, std::string_view text);
    void removed(const JsonlReader& rec, std::string_view dup_of_json, uint64_t cluster,
                 std::vector<JsonEdit> extra = {});
    // A removed piece of a kept document: {"id", "span": [begin, end], "text", "dup_of", "cluster"}.
    void removed_span(std::string_view id_json, size_t begin, size_t end, std::string_view text,
                      std::string_view dup_of_json, uint64_t cluster);
    bool has_duplicates() const { return dups_ != nullptr; }
    void commit();

private:
    std::unique_ptr<Output> out_, dup_out_;
    std::unique_ptr<JsonlWriter> kept_, dups_;
};

void write_stats(const std::string& path, const DedupStats& st);
// Logs the one-line summary every mode ends with.
void log_summary(const DedupStats& st);

// XXH3-128 keys in std::unordered_map (exact and line modes).
struct Hash128 {
    size_t operator()(const XXH128_hash_t& h) const { return size_t(h.low64 ^ (h.high64 * 0x9e3779b97f4a7c15ULL)); }
};
struct Eq128 {
    bool operator()(const XXH128_hash_t& a, const XXH128_hash_t& b) const {
        return a.low64 == b.low64 && a.high64 == b.high64;
    }
};

class Stopwatch {
public:
    double seconds() const {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
    }

private:
    std::chrono::steady_clock::time_point t0_ = std::chrono::steady_clock::now();
};

// The end of a one-pass mode: commits the outputs, takes the reader's counts into st, writes
// --stats and logs the summary line.
void finish_pass(DedupWriter& writer, const DocReader& docs, DedupStats& st, const Stopwatch& clock,
                 const std::string& stats_path);

// A read-only memory map of a whole file (empty files map to an empty view).
class MappedFile {
public:
    explicit MappedFile(const std::string& path);
    ~MappedFile();
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;
    std::string_view data() const { return {static_cast<const char*>(addr_), size_}; }

private:
    void* addr_ = nullptr;
    size_t size_ = 0;
};

// Binary work files: header + records.
struct WorkHeader {
    char magic[8];
    uint32_t version;
    uint32_t kind;
};
enum class WorkKind : uint32_t { band_keys = 1, pairs = 2, shingles = 3, shingle_index = 4 };
void write_work_header(Output& out, WorkKind kind);
// Checks the header at data[0..16) and returns the record bytes after it.
std::string_view check_work_header(std::string_view data, WorkKind kind, const std::string& path);

} // namespace lmk::dedup
