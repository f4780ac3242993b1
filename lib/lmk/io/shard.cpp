// io/shard.cpp: llm.c token shards (see shard.h for the byte layout).
//
// The reader maps the file read-only and serves tokens straight from the mapping; the header
// and the file size are validated up front, so indexing needs no checks. The header carries
// the token count, which is known only at commit, and an Output cannot seek back: the writer
// keeps the encoded tokens in memory (a 100M-token shard is 200-400 MB, as in llm.c's own
// writers) and writes header + tokens in one pass when committed.
#include "lmk/io/shard.h"

#include "lmk/core/error.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace lmk {

namespace {

int32_t load_i32(const unsigned char* p) {
    return int32_t(uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24);
}

void store_i32(char* p, int32_t v) {
    uint32_t u = uint32_t(v);
    for (int i = 0; i < 4; i++) p[i] = char((u >> (8 * i)) & 0xff);
}

constexpr size_t kHeaderBytes = kShardHeaderInts * sizeof(int32_t);
constexpr uint64_t kMaxTokens = 0x7fffffff; // llm.c stores the count as int32

} // namespace

ShardHeader parse_shard_header(const void* bytes, size_t n, const std::string& path) {
    const auto* p = static_cast<const unsigned char*>(bytes);
    if (n < kHeaderBytes)
        throw Error(fmt::format("{}: not an llm.c token shard: {} bytes, shorter than the {}-byte header", path, n,
                                kHeaderBytes),
                    "token shards are written by encode");
    int32_t magic = load_i32(p);
    if (magic != kShardMagic)
        throw Error(fmt::format("{}: not an llm.c token shard (magic {}, expected {})", path, magic, kShardMagic),
                    "was it written by encode?");
    int32_t version = load_i32(p + 4);
    if (version != 1 && version != 2)
        throw Error(fmt::format("{}: unsupported token shard version {} (expected 1 = uint16 or 2 = uint32 tokens)",
                                path, version),
                    "rewrite the shard with this version of encode");
    int32_t count = load_i32(p + 8);
    if (count < 0) fail("{}: token shard header has a negative token count {}", path, count);
    return ShardHeader{version, uint64_t(count)};
}

// ---------------------------------------------------------------------------------------------
// Shard

Shard::Shard(const std::string& path) : path_(path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail("{}: cannot open: {}", path, errno_text(errno));
    struct stat st {};
    if (fstat(fd, &st) != 0) {
        int e = errno;
        ::close(fd);
        fail("{}: cannot stat: {}", path, errno_text(e));
    }
    if (!S_ISREG(st.st_mode)) {
        ::close(fd);
        fail("{}: a token shard must be a regular file (it is memory-mapped)", path);
    }
    size_t len = size_t(st.st_size);
    if (len > 0) {
        map_ = mmap(nullptr, len, PROT_READ, MAP_PRIVATE, fd, 0);
        if (map_ == MAP_FAILED) {
            int e = errno;
            map_ = nullptr;
            ::close(fd);
            fail("{}: cannot mmap: {}", path, errno_text(e));
        }
        map_len_ = len;
    }
    ::close(fd); // the mapping stays valid
    try {
        ShardHeader h = parse_shard_header(map_, map_len_, path);
        size_t width = h.version == 1 ? 2 : 4;
        uint64_t want = kHeaderBytes + h.tokens * width;
        if (want != map_len_)
            throw Error(fmt::format("{}: token shard size mismatch: the header says {} tokens of {} bytes "
                                    "({} bytes with the header), the file has {} bytes",
                                    path, h.tokens, width, want, map_len_),
                        want > map_len_ ? "the file was cut short; re-run encode"
                                        : "the file has trailing bytes; re-run encode");
        version_ = h.version;
        n_ = size_t(h.tokens);
        const char* data = static_cast<const char*>(map_) + kHeaderBytes;
        if (version_ == 1) u16_ = reinterpret_cast<const uint16_t*>(data);
        else u32_ = reinterpret_cast<const uint32_t*>(data);
        madvise(map_, map_len_, MADV_SEQUENTIAL);
    } catch (...) {
        if (map_) munmap(map_, map_len_);
        map_ = nullptr;
        throw;
    }
}

Shard::~Shard() {
    if (map_) munmap(map_, map_len_);
}

void Shard::read(size_t begin, size_t n, uint32_t* out) const {
    LMK_CHECK(begin <= n_ && n <= n_ - begin, "{}: token range [{}, {}) is outside the shard's {} tokens", path_,
              begin, begin + n, n_);
    if (n == 0) return; // out may be null (an empty vector's data())
    if (version_ == 1)
        for (size_t i = 0; i < n; i++) out[i] = u16_[begin + i];
    else
        std::memcpy(out, u32_ + begin, n * sizeof(uint32_t));
}

uint32_t Shard::max_id() const {
    uint32_t m = 0;
    if (version_ == 1)
        for (size_t i = 0; i < n_; i++) m = std::max<uint32_t>(m, u16_[i]);
    else
        for (size_t i = 0; i < n_; i++) m = std::max(m, u32_[i]);
    return m;
}

// ---------------------------------------------------------------------------------------------
// ShardWriter

ShardWriter::ShardWriter(const std::string& path, int version) : version_(version) {
    LMK_CHECK(version == 1 || version == 2, "{}: token shard version must be 1 or 2, got {}", path, version);
    out_ = Output::open(path, OutputOptions{.binary = true, .raw = true});
}

void ShardWriter::append(const uint32_t* ids, size_t n) {
    LMK_CHECK(out_ != nullptr, "token shard: append after commit");
    LMK_CHECK(count_ + n <= kMaxTokens, "{}: a token shard holds at most {} tokens (llm.c's int32 count)",
              out_->name(), kMaxTokens);
    size_t width = version_ == 1 ? 2 : 4;
    size_t old = scratch_.size();
    scratch_.resize(old + n * width);
    char* p = scratch_.data() + old;
    if (version_ == 1) {
        for (size_t i = 0; i < n; i++) {
            if (ids[i] > 0xffff) {
                scratch_.resize(old);
                fail("{}: token id {} does not fit a version 1 (uint16) shard", out_->name(), ids[i]);
            }
            p[2 * i] = char(ids[i] & 0xff);
            p[2 * i + 1] = char(ids[i] >> 8);
        }
    } else {
        for (size_t i = 0; i < n; i++) store_i32(p + 4 * i, int32_t(ids[i]));
    }
    count_ += n;
}

void ShardWriter::commit() {
    LMK_CHECK(out_ != nullptr, "token shard: commit called twice");
    char header[kHeaderBytes] = {};
    store_i32(header, kShardMagic);
    store_i32(header + 4, version_);
    store_i32(header + 8, int32_t(count_));
    out_->write(header, sizeof header);
    out_->write(scratch_.data(), scratch_.size());
    out_->commit();
    out_.reset();
    std::vector<char>().swap(scratch_);
}

} // namespace lmk
