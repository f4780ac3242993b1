// io/file.h: byte streams over files and standard input/output, with compression.
//
// Input::open(path): "-" is standard input. gzip (1f 8b) and zstd (28 b5 2f fd) are detected
// by their magic bytes, never by the name; concatenated members/frames read as one stream.
// A damaged or truncated gzip member is an Error, unless InputOptions::tolerate_damage is set
// (WARC/WET reading): then the bytes of the damaged member that inflated cleanly are kept,
// the reader resynchronises on the next member header, and the event is queued in damage()
// so the record parser above can report `file: what` and skip to its next record.
//
// Output::open(path): "-" is standard output. The name chooses compression (.gz, .zst). A
// regular file is written to `path.tmp` and renamed onto `path` by commit(); destroying an
// Output that was not committed removes the temporary, so a failed run never leaves a
// half-written file under the real name. Binary outputs refuse a terminal. Every write and
// the close are checked; errors throw lmk::Error naming the file.
// OutputOptions::direct writes a large file once without the page cache (O_DIRECT, through
// an aligned staging buffer; checkpoints), where the file system allows it, else as usual;
// the file's bytes are the same either way. OutputOptions::digest keeps the XXH3-64 of the
// bytes written (what reading the file back would give) without reading it back.
//
//   auto in = lmk::Input::open("crawl.warc.wet.gz");
//   lmk::LineReader lines(*in);
//   std::string_view line;
//   while (lines.next(line)) { ... lines.line_number() ... }
//   auto out = lmk::Output::open("docs.jsonl.zst");
//   out->write("{}\n");
//   out->commit();
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace lmk {

enum class Compression { none, gzip, zstd };
const char* compression_name(Compression c);
Compression compression_from_magic(const unsigned char* p, size_t n);
Compression compression_from_name(std::string_view path); // by extension, for outputs

struct InputOptions {
    bool tolerate_damage = false; // see above
};

// A damaged stretch of compressed input that was skipped (tolerate_damage only).
struct InputDamage {
    uint64_t raw_offset;  // compressed-byte offset where the bad member began
    uint64_t out_offset;  // decompressed-stream offset where the gap is
    std::string what;     // "truncated gzip member", "corrupt gzip data: invalid distance"
};

// A heap byte buffer that is not zero-filled on allocation or growth (std::vector<char>
// writes every byte, which costs a 1 MB memset per reader and dominates fuzzing under ASan).
// Readers only ever read bytes they wrote.
class ByteBuffer {
public:
    explicit ByteBuffer(size_t n = 0) : p_(n ? new char[n] : nullptr), n_(n) {}
    char* data() { return p_.get(); }
    const char* data() const { return p_.get(); }
    size_t size() const { return n_; }
    // Reallocates to n >= keep bytes, keeping the first `keep`.
    void grow(size_t n, size_t keep);

private:
    std::unique_ptr<char[]> p_;
    size_t n_;
};

class Input {
public:
    static std::unique_ptr<Input> open(const std::string& path, InputOptions opts = {});
    ~Input();
    Input(const Input&) = delete;
    Input& operator=(const Input&) = delete;

    // Up to n decompressed bytes; 0 only at end of stream. Throws on I/O or data errors.
    size_t read(char* buf, size_t n);
    const std::string& name() const { return name_; } // path, or "<stdin>"
    Compression compression() const { return comp_; }
    uint64_t raw_bytes_read() const { return raw_read_; } // compressed bytes consumed
    uint64_t raw_size() const { return raw_size_; }       // file size; 0 if unknown (pipe)
    uint64_t out_offset() const { return out_offset_; }   // decompressed bytes returned so far
    // Damage events since the last call (tolerate_damage only); the caller takes ownership.
    std::vector<InputDamage> take_damage();
    uint64_t damage_count() const { return damage_total_; }

    struct Decoder; // internal
private:
    Input() = default;
    size_t fill_raw();
    size_t read_raw(char* buf, size_t n);

    friend struct InputRaw; // the decoders' view of the raw buffer (file.cpp)
    std::string name_;
    int fd_ = -1;
    bool own_fd_ = false;
    Compression comp_ = Compression::none;
    InputOptions opts_;
    uint64_t raw_read_ = 0, raw_size_ = 0, out_offset_ = 0, damage_total_ = 0;
    ByteBuffer raw_;             // compressed bytes buffer
    size_t raw_pos_ = 0, raw_end_ = 0;
    bool raw_eof_ = false;
    std::vector<InputDamage> damage_;
    std::unique_ptr<Decoder> dec_;
};

// The size and XXH3-64 of a file's bytes.
struct FileDigest {
    uint64_t bytes = 0;
    uint64_t xxh3 = 0;
    bool operator==(const FileDigest&) const = default;
};

// A running size and XXH3-64 of bytes given in pieces: the digest of the pieces joined.
class StreamDigest {
public:
    StreamDigest();
    ~StreamDigest();
    StreamDigest(const StreamDigest&) = delete;
    StreamDigest& operator=(const StreamDigest&) = delete;
    void update(const void* p, size_t n);
    FileDigest value() const;

private:
    void* state_; // XXH3_state_t
    uint64_t bytes_ = 0;
};

struct OutputOptions {
    bool binary = false;  // refuse a terminal on stdout
    bool atomic = true;   // write path.tmp then rename (regular files only)
    int level = -1;       // compression level; -1 = default (gzip 6, zstd 3)
    bool raw = false;     // never compress, whatever the name (writers that frame their own
                          // compression, e.g. WARC's one gzip member per record)
    bool direct = false;  // bypass the page cache where possible (uncompressed regular files)
    bool digest = false;  // keep digest() of the bytes written
};

class Output {
public:
    static std::unique_ptr<Output> open(const std::string& path, OutputOptions opts = {});
    ~Output(); // without commit(): the temporary is removed, nothing is renamed
    Output(const Output&) = delete;
    Output& operator=(const Output&) = delete;

    void write(const void* data, size_t n);
    void write(std::string_view s) { write(s.data(), s.size()); }
    void put(char c) {
        if (buf_.size() < buf_cap_) buf_.push_back(c), written_++;
        else write(&c, 1);
    }
    // Finish compression, flush, close, rename into place. Idempotent; throws on failure.
    void commit();
    const std::string& name() const { return name_; } // path, or "<stdout>"
    uint64_t bytes_written() const { return written_; } // uncompressed bytes accepted
    // With OutputOptions::digest, after commit(): size and XXH3-64 of the bytes written
    // (compressed, if the output is). Throws otherwise.
    FileDigest digest() const;

    struct Encoder; // internal
private:
    Output() = default;
    void flush_buffer();
    void write_fd(const char* p, size_t n);
    void write_all(const char* p, size_t n);
    void stage_direct(const char* p, size_t n);
    void finish_direct();
    void abandon() noexcept;

    friend struct OutputRaw; // the encoders' access to write_fd (file.cpp)
    std::string name_, final_path_, tmp_path_;
    int fd_ = -1;
    bool is_stdout_ = false, committed_ = false;
    Compression comp_ = Compression::none;
    std::string buf_;
    size_t buf_cap_ = 1 << 20;
    uint64_t written_ = 0;
    std::unique_ptr<Encoder> enc_;
    struct DirectStage;                  // OutputOptions::direct's aligned buffer (file.cpp)
    std::unique_ptr<DirectStage> direct_; // null when writing through the page cache
    std::unique_ptr<StreamDigest> digest_; // OutputOptions::digest
};

// Reads lines ('\n'-terminated; the last may lack it). A returned line excludes the '\n'
// (a '\r' before it is kept), stays valid until the next call, and is followed in memory by
// at least kLinePadding readable bytes (so simdjson can parse it in place). Lines of any
// length are supported (the buffer grows).
class LineReader {
public:
    static constexpr size_t kLinePadding = 64;
    explicit LineReader(Input& in, size_t buffer_bytes = 1 << 20);
    bool next(std::string_view& line);
    uint64_t line_number() const { return line_no_; } // 1-based, of the last line returned
    uint64_t bytes_consumed() const { return consumed_; }
    Input& input() { return in_; }

private:
    bool refill();
    Input& in_;
    ByteBuffer buf_;
    size_t pos_ = 0, end_ = 0;
    bool eof_ = false;
    uint64_t line_no_ = 0, consumed_ = 0;
};

// Whole-file helpers (decompressing on read, atomic on write).
std::string read_file(const std::string& path);
// write_file returns the size and XXH3-64 of the bytes it wrote (not read back);
// digest_file reads a file's bytes as they are (no decompression) for theirs.
FileDigest write_file(const std::string& path, std::string_view data, OutputOptions opts = {});
FileDigest digest_file(const std::string& path);
bool file_exists(const std::string& path);

} // namespace lmk
