// io/warc.h: streaming WARC / WET record reader and writer (Common Crawl's web formats).
//
// A WARC file is a sequence of records, each:
//   "WARC/1.0" CRLF                       version line (WARC/1.1 is accepted too)
//   Name: value CRLF ...                  named header fields; a line starting with space or
//                                         tab continues the previous field's value
//   CRLF                                  end of the header block
//   <Content-Length bytes of body>        Content-Length counts BYTES, not characters
//   CRLF CRLF                             record separator
// Common Crawl compresses each record as its own gzip member, so a reader can resynchronise
// after a damaged member. WET files are WARC files whose "conversion" records carry the
// extracted plain text (and WARC-Identified-Content-Language).
//
// Invariants of WarcReader:
// - The input is opened with InputOptions::tolerate_damage; a damaged or truncated gzip member,
//   a body that ends before Content-Length, garbage between records (bytes that do not start
//   "WARC/") and a bad header block (no or non-numeric Content-Length) are each logged as
//   `file: record N at offset X: what`, counted in stats(), and skipped: next() never returns a
//   partial record. With strict=true the first such problem throws lmk::Error instead.
// - Bare LF line ends are tolerated wherever CRLF is expected.
// - Records are returned in file order; index counts returned records from 0, offset is the
//   record's byte offset in the decompressed stream.
//
//   lmk::WarcReader r("CC-MAIN-...warc.wet.gz");
//   lmk::WarcRecord rec;
//   while (r.next(rec))
//       if (rec.type() == "conversion") use(rec.header("WARC-Target-URI"), rec.body);
//   auto out = lmk::Output::open("out.warc.gz", {.raw = true});
//   lmk::WarcWriter w(*out, /*gzip_per_record=*/true);
//   w.write(rec);  // Content-Length is computed from rec.body
//   out->commit();
#pragma once
#include "lmk/io/file.h"

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lmk {

struct WarcRecord {
    std::string version;                                      // "WARC/1.0"
    std::vector<std::pair<std::string, std::string>> headers; // in file order, values trimmed
    std::string body;
    uint64_t offset = 0; // decompressed-stream byte offset of the record
    uint64_t index = 0;  // 0-based record number (records returned so far)

    std::string_view header(std::string_view name) const; // case-insensitive; "" if absent
    std::string_view type() const { return header("WARC-Type"); }
    // Sets (replacing, case-insensitively) or appends a header field.
    void set_header(std::string_view name, std::string_view value);
    void clear();
};

struct WarcStats {
    uint64_t records = 0;         // complete records returned
    uint64_t truncated = 0;       // records whose body or gzip member ended early
    uint64_t damaged_members = 0; // gzip members reported damaged by the Input
    uint64_t garbage_bytes = 0;   // bytes skipped between records
    uint64_t bad_headers = 0;     // header blocks without a usable Content-Length
};

class WarcReader {
public:
    explicit WarcReader(const std::string& path, bool strict = false);
    // An Input opened without tolerate_damage makes damaged gzip members throw (as strict).
    explicit WarcReader(std::unique_ptr<Input> in, bool strict = false);
    ~WarcReader();
    WarcReader(const WarcReader&) = delete;
    WarcReader& operator=(const WarcReader&) = delete;

    // Reads the next complete record into rec; false at end of input.
    bool next(WarcRecord& rec);
    const WarcStats& stats() const { return stats_; }
    const std::string& name() const;
    Input& input() { return *in_; }

private:
    struct Gap {              // a damaged gzip member reported by the Input
        uint64_t at;          // decompressed offset where the next member's bytes begin
        std::string what;     // the Input's description
        bool reported = false;
    };
    bool parse_record(WarcRecord& rec);
    bool fill(size_t want);
    size_t line_length(size_t limit);
    uint64_t skip_to_record();
    void absorb_damage();
    Gap* gap_inside(uint64_t lo, uint64_t hi);
    void retire_gaps(uint64_t off);
    void problem(std::string what);
    uint64_t offset() const { return buf_offset_ + pos_; } // stream offset of the read position

    std::unique_ptr<Input> in_;
    bool strict_;
    WarcStats stats_;
    ByteBuffer buf_;
    size_t pos_ = 0, end_ = 0;
    bool eof_ = false;
    uint64_t buf_offset_ = 0; // stream offset of buf_[0]
    std::deque<Gap> gaps_;    // damage gaps not yet passed, in stream order
    uint64_t attempts_ = 0;   // record headers seen (1-based "record N" in messages)
};

class WarcWriter {
public:
    // out should be opened with OutputOptions{.raw = true} when gzip_per_record is set (the
    // writer frames its own gzip members) and is committed by the caller.
    WarcWriter(Output& out, bool gzip_per_record);
    ~WarcWriter();
    // Writes the version line (rec.version or "WARC/1.0"), the headers in order with a
    // Content-Length computed from rec.body (any given one is replaced), the body and CRLF CRLF.
    void write(const WarcRecord& rec);
    uint64_t records() const { return records_; }

private:
    Output& out_;
    bool gzip_;
    uint64_t records_ = 0;
    std::string plain_, packed_;
    struct Deflater; // one zlib stream, reset per record (warc.cpp)
    std::unique_ptr<Deflater> deflater_;
};

} // namespace lmk
