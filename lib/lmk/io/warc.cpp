// io/warc.cpp: WARC/WET record reader and writer (see warc.h for the format and invariants).
//
// The reader keeps one growable buffer of decompressed bytes and parses records in place.
// Damage reported by the Input (a truncated or corrupt gzip member) arrives as a "gap": the
// decompressed offset where the damaged member's clean bytes stop and the next member's
// bytes begin. Since Common Crawl writes one member per record, a gap strictly inside a
// record's byte range means the record is incomplete, and the gap itself is the start of the
// next record: the reader drops the partial record and resumes exactly there.
#include "lmk/io/warc.h"

#include "lmk/core/error.h"
#include "lmk/core/log.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <deque>

namespace lmk {

namespace {

constexpr size_t kReadChunk = 1 << 16;
constexpr size_t kMaxHeaderBytes = 1 << 20;         // a header block longer than this is bad
constexpr uint64_t kMaxContentLength = 1ull << 40;  // larger is a corrupt length, not a record

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); i++) {
        unsigned char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x += 32;
        if (y >= 'A' && y <= 'Z') y += 32;
        if (x != y) return false;
    }
    return true;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

bool starts_with(std::string_view s, std::string_view p) {
    return s.size() >= p.size() && s.compare(0, p.size(), p) == 0;
}

// Decimal Content-Length; false if empty, non-numeric or absurdly large.
bool parse_length(std::string_view s, uint64_t& out) {
    if (s.empty() || s.size() > 15) return false;
    uint64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return false;
        v = v * 10 + uint64_t(c - '0');
    }
    if (v > kMaxContentLength) return false;
    out = v;
    return true;
}

} // namespace

// ---------------------------------------------------------------------------------------------
// WarcRecord

std::string_view WarcRecord::header(std::string_view name) const {
    for (const auto& [k, v] : headers)
        if (iequals(k, name)) return v;
    return {};
}

void WarcRecord::set_header(std::string_view name, std::string_view value) {
    for (auto& [k, v] : headers)
        if (iequals(k, name)) {
            v.assign(value);
            return;
        }
    headers.emplace_back(std::string(name), std::string(value));
}

void WarcRecord::clear() {
    version.clear();
    headers.clear();
    body.clear();
    offset = index = 0;
}

// ---------------------------------------------------------------------------------------------
// WarcReader

WarcReader::WarcReader(const std::string& path, bool strict)
    : WarcReader(Input::open(path, InputOptions{.tolerate_damage = true}), strict) {}

WarcReader::WarcReader(std::unique_ptr<Input> in, bool strict) : in_(std::move(in)), strict_(strict) {
    LMK_CHECK(in_ != nullptr, "WarcReader: no input");
    buf_.grow(kReadChunk, 0);
}

WarcReader::~WarcReader() = default;

const std::string& WarcReader::name() const { return in_->name(); }

void WarcReader::problem(std::string what) {
    if (strict_) throw Error(fmt::format("{}: {}", name(), what));
    log_warn("{}: {}", name(), what);
}

void WarcReader::absorb_damage() {
    for (auto& d : in_->take_damage()) {
        // One bad member can yield several events at the same offset (the inflate error, then
        // the bytes skipped to the next member header): they are one damaged member.
        if (!gaps_.empty() && gaps_.back().at == d.out_offset) {
            gaps_.back().what += "; " + d.what;
            continue;
        }
        stats_.damaged_members++;
        gaps_.push_back(Gap{d.out_offset, std::move(d.what)});
    }
}

// Ensures at least `want` unread bytes are buffered, unless the stream ends first.
bool WarcReader::fill(size_t want) {
    while (end_ - pos_ < want && !eof_) {
        if (pos_ > 0 && (pos_ == end_ || end_ + kReadChunk > buf_.size())) {
            std::memmove(buf_.data(), buf_.data() + pos_, end_ - pos_);
            end_ -= pos_;
            buf_offset_ += pos_;
            pos_ = 0;
        }
        if (buf_.size() - end_ < kReadChunk) buf_.grow(std::max(buf_.size() * 2, end_ + kReadChunk), end_);
        size_t got = in_->read(buf_.data() + end_, buf_.size() - end_);
        absorb_damage();
        if (got == 0) eof_ = true;
        end_ += got;
    }
    return end_ - pos_ >= want;
}

// The first damage gap strictly inside (lo, hi), or nullptr.
WarcReader::Gap* WarcReader::gap_inside(uint64_t lo, uint64_t hi) {
    for (auto& g : gaps_)
        if (g.at > lo && g.at < hi) return &g;
    return nullptr;
}

// Forgets gaps at or before `off`, reporting those no record failure has explained.
void WarcReader::retire_gaps(uint64_t off) {
    while (!gaps_.empty() && gaps_.front().at <= off) {
        Gap g = std::move(gaps_.front());
        gaps_.pop_front();
        if (!g.reported) problem(fmt::format("offset {}: {}", g.at, g.what));
    }
}

// Length of the line at the read position including its '\n' (the whole rest at end of
// stream), growing the buffer as needed; 0 at end of stream. Lines longer than `limit`
// return limit+1 without being fully buffered.
size_t WarcReader::line_length(size_t limit) {
    size_t scanned = 0;
    for (;;) {
        const char* p = buf_.data() + pos_;
        size_t have = end_ - pos_;
        if (const void* nl = std::memchr(p + scanned, '\n', have - scanned))
            return size_t(static_cast<const char*>(nl) - p) + 1;
        scanned = have;
        if (have > limit) return limit + 1;
        if (!fill(have + 1)) return end_ - pos_;
    }
}

// Skips to the next line that starts "WARC/1." (or to a damage gap, where a fresh gzip member
// and so a fresh record begins); returns the number of bytes skipped.
uint64_t WarcReader::skip_to_record() {
    uint64_t skipped = 0;
    for (;;) {
        if (!fill(7)) {
            // Fewer than 7 bytes left: nothing that can start a record.
            skipped += end_ - pos_;
            pos_ = end_;
            return skipped;
        }
        std::string_view head(buf_.data() + pos_, 7);
        if (skipped > 0 && head == "WARC/1.") return skipped;
        uint64_t here = offset();
        // Advance through this line, but stop at a gap inside it: the bytes after a gap
        // belong to the next gzip member, which starts a new record.
        size_t n = line_length(kReadChunk);
        if (n == 0) return skipped;
        n = std::min(n, end_ - pos_);
        for (const auto& g : gaps_)
            if (g.at > here && g.at < here + n) n = size_t(g.at - here);
        pos_ += n;
        skipped += n;
    }
}

bool WarcReader::next(WarcRecord& rec) {
    for (;;) {
        // Blank lines between records (the CRLF CRLF separator, extra newlines) are normal.
        for (;;) {
            if (!fill(1)) {
                retire_gaps(UINT64_MAX);
                return false;
            }
            char c = buf_.data()[pos_];
            if (c == '\n') pos_++;
            else if (c == '\r' && fill(2) && buf_.data()[pos_ + 1] == '\n') pos_ += 2;
            else break;
        }
        retire_gaps(offset());
        fill(5);
        if (end_ - pos_ < 5 || std::memcmp(buf_.data() + pos_, "WARC/", 5) != 0) {
            uint64_t at = offset();
            uint64_t n = skip_to_record();
            stats_.garbage_bytes += n;
            problem(fmt::format("offset {}: {} bytes of garbage before the next record skipped", at, n));
            continue;
        }
        if (parse_record(rec)) {
            rec.index = stats_.records++;
            return true;
        }
    }
}

// Parses one record at the read position (which starts "WARC/"). Returns false when the
// record was bad and skipped (already reported and counted).
bool WarcReader::parse_record(WarcRecord& rec) {
    const uint64_t start = offset();
    const uint64_t number = ++attempts_;
    rec.clear();
    rec.offset = start;
    auto where = [&] { return fmt::format("record {} at offset {}", number, start); };

    // A damaged member inside [start, hi): drop the partial record and resume at the gap.
    auto damaged = [&](uint64_t hi) -> bool {
        Gap* g = gap_inside(start, hi);
        if (!g) return false;
        g->reported = true;
        stats_.truncated++;
        problem(fmt::format("{}: {}; record skipped", where(), g->what));
        // Resume where the next member's bytes begin (never behind the read position).
        if (g->at > offset()) pos_ = size_t(std::min<uint64_t>(g->at - buf_offset_, end_));
        return true;
    };
    auto bad_header = [&](const std::string& what) {
        stats_.bad_headers++;
        problem(fmt::format("{}: {}; skipped to the next record", where(), what));
        skip_to_record();
    };

    // Version line, then header fields up to the blank line.
    size_t header_bytes = 0;
    bool have_length = false;
    uint64_t length = 0;
    std::string bad_length;
    bool first = true;
    for (;;) {
        size_t n = line_length(kMaxHeaderBytes);
        uint64_t line_end = offset() + std::min(n, end_ - pos_);
        if (damaged(line_end)) return false;
        if (n > kMaxHeaderBytes || header_bytes + n > kMaxHeaderBytes) {
            bad_header("header block longer than 1 MiB");
            return false;
        }
        if (n == 0 || buf_.data()[pos_ + n - 1] != '\n') {
            if (damaged(line_end + 1)) return false; // the member was cut: say so once
            stats_.truncated++;
            problem(fmt::format("{}: stream ends inside the header block; record skipped", where()));
            pos_ = end_;
            return false;
        }
        std::string_view line(buf_.data() + pos_, n - 1);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (first) {
            rec.version.assign(trim(line));
            first = false;
        } else if (line.empty()) {
            pos_ += n;
            header_bytes += n;
            break;
        } else if (starts_with(line, "WARC/1.")) {
            // The next record began before this one's header block ended: do not consume it.
            stats_.bad_headers++;
            problem(fmt::format("{}: header block has no terminating blank line; record skipped", where()));
            return false;
        } else if (line.front() == ' ' || line.front() == '\t') {
            if (rec.headers.empty()) {
                pos_ += n;
                bad_header("continuation line before any header field");
                return false;
            }
            std::string& v = rec.headers.back().second;
            std::string_view more = trim(line);
            if (!more.empty()) {
                if (!v.empty()) v += ' ';
                v += more;
            }
        } else {
            size_t colon = line.find(':');
            if (colon == std::string_view::npos || colon == 0) {
                pos_ += n;
                bad_header(fmt::format("malformed header line \"{}\"",
                                       std::string(line.substr(0, std::min<size_t>(line.size(), 60)))));
                return false;
            }
            rec.headers.emplace_back(std::string(trim(line.substr(0, colon))),
                                     std::string(trim(line.substr(colon + 1))));
        }
        pos_ += n;
        header_bytes += n;
    }
    // Continuation lines may have extended Content-Length's value, so it is parsed last.
    for (const auto& [k, v] : rec.headers)
        if (iequals(k, "Content-Length")) {
            have_length = parse_length(v, length);
            if (!have_length) bad_length = v;
            break;
        }
    if (!have_length) {
        bad_header(bad_length.empty() && rec.header("Content-Length").empty() &&
                           std::none_of(rec.headers.begin(), rec.headers.end(),
                                        [](const auto& h) { return iequals(h.first, "Content-Length"); })
                       ? std::string("no Content-Length header")
                       : fmt::format("bad Content-Length \"{}\"", bad_length.substr(0, 40)));
        return false;
    }

    // Body: exactly Content-Length bytes.
    const uint64_t body_start = offset();
    bool complete = fill(size_t(length));
    uint64_t body_end = body_start + std::min<uint64_t>(length, end_ - pos_);
    if (damaged(complete ? body_start + length : body_end + 1)) return false;
    if (!complete) {
        stats_.truncated++;
        problem(fmt::format("{}: stream ends {} bytes before the end of the body (Content-Length {}); "
                            "record skipped",
                            where(), body_start + length - body_end, length));
        pos_ = end_;
        return false;
    }
    // The record separator (CRLF CRLF, or bare LFs) still belongs to this record's member. A
    // member whose check sum fails ends in a gap right after it: every byte inflated, but
    // some are wrong, so the record is dropped. Any other gap there is the next member's.
    size_t sep = 0; // separator bytes after the body, relative to the body's end
    for (int i = 0; i < 2; i++) {
        fill(size_t(length) + sep + 2);
        const char* q = buf_.data() + pos_ + size_t(length) + sep;
        size_t have = end_ - pos_ - size_t(length) - sep;
        if (have >= 1 && q[0] == '\n') sep += 1;
        else if (have >= 2 && q[0] == '\r' && q[1] == '\n') sep += 2;
        else break;
    }
    const uint64_t record_end = body_start + length + sep;
    if (Gap* g = gap_inside(start, record_end + 1);
        g && (g->what.find("incorrect data check") != std::string::npos ||
              g->what.find("incorrect length check") != std::string::npos)) {
        damaged(record_end + 1);
        return false;
    }
    rec.body.assign(buf_.data() + pos_, size_t(length));
    pos_ += size_t(length) + sep;
    return true;
}

// ---------------------------------------------------------------------------------------------
// WarcWriter

struct WarcWriter::Deflater {
    z_stream z{};
    explicit Deflater(const std::string& name) {
        LMK_CHECK(deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK,
                  "{}: deflateInit2 failed", name);
    }
    ~Deflater() { deflateEnd(&z); }
};

WarcWriter::~WarcWriter() = default;

WarcWriter::WarcWriter(Output& out, bool gzip_per_record) : out_(out), gzip_(gzip_per_record) {}

void WarcWriter::write(const WarcRecord& rec) {
    auto check_field = [&](std::string_view s, const char* what) {
        LMK_CHECK(s.find_first_of("\r\n") == std::string_view::npos,
                  "{}: record {}: {} contains a line break: \"{}\"", out_.name(), records_, what, s);
    };
    std::string& p = plain_;
    p.clear();
    p += rec.version.empty() ? std::string_view("WARC/1.0") : std::string_view(rec.version);
    check_field(p, "version");
    p += "\r\n";
    std::string length = std::to_string(rec.body.size());
    bool length_written = false;
    for (const auto& [k, v] : rec.headers) {
        check_field(k, "header name");
        check_field(v, "header value");
        LMK_CHECK(!k.empty() && k.find(':') == std::string::npos, "{}: record {}: bad header name \"{}\"",
                  out_.name(), records_, k);
        p += k;
        p += ": ";
        if (iequals(k, "Content-Length")) {
            if (length_written) { // a duplicate: drop it
                p.resize(p.size() - k.size() - 2);
                continue;
            }
            p += length;
            length_written = true;
        } else {
            p += v;
        }
        p += "\r\n";
    }
    if (!length_written) {
        p += "Content-Length: ";
        p += length;
        p += "\r\n";
    }
    p += "\r\n";
    if (!gzip_) {
        out_.write(p);
        out_.write(rec.body);
        out_.write("\r\n\r\n");
        records_++;
        return;
    }
    // One gzip member per record, so readers can seek to and resynchronise on any record.
    p += rec.body;
    p += "\r\n\r\n";
    if (!deflater_) deflater_ = std::make_unique<Deflater>(out_.name());
    z_stream& z = deflater_->z;
    deflateReset(&z); // a fresh member each record, without reallocating zlib's state
    packed_.resize(deflateBound(&z, uLong(p.size())) + 64);
    z.next_in = reinterpret_cast<Bytef*>(p.data());
    z.avail_in = uInt(p.size());
    z.next_out = reinterpret_cast<Bytef*>(packed_.data());
    z.avail_out = uInt(packed_.size());
    int rc = deflate(&z, Z_FINISH);
    size_t produced = packed_.size() - z.avail_out;
    LMK_CHECK(rc == Z_STREAM_END, "{}: record {}: gzip compression failed ({})", out_.name(), records_, rc);
    out_.write(packed_.data(), produced);
    records_++;
}

} // namespace lmk
