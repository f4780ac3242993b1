// io/shard.h: token shards in llm.c's format, so shards interoperate with llm.c.
//
// Byte layout (little-endian):
//   int32 header[256]: [0] = 20240520 (magic), [1] = version (1: uint16 tokens, 2: uint32
//                      tokens), [2] = token count (int32; llm.c's limit, < 2^31); rest zero
//   tokens: count x uint16 (v1) or uint32 (v2)
// Documents are separated by the tokenizer's end-of-text token (written by encode).
// Version 1 is chosen when every id fits in 16 bits (vocab <= 65536), as llm.c does.
//
//   lmk::ShardWriter w("data_000000.bin", /*version*/ 1);
//   w.append(ids.data(), ids.size());
//   w.commit();
//   lmk::Shard s("data_000000.bin");            // mmap; header validated
//   for (size_t i = 0; i < s.size(); i++) use(s[i]);
#pragma once
#include "lmk/io/file.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace lmk {

constexpr int32_t kShardMagic = 20240520;
constexpr size_t kShardHeaderInts = 256;

struct ShardHeader {
    int version = 0;       // 1 or 2
    uint64_t tokens = 0;
};
// Validates a 1024-byte header; throws lmk::Error naming `path` with a hint on bad magic.
ShardHeader parse_shard_header(const void* bytes, size_t n, const std::string& path);

class Shard {
public:
    explicit Shard(const std::string& path); // mmap read-only; checks header and file size
    ~Shard();
    Shard(const Shard&) = delete;
    Shard& operator=(const Shard&) = delete;
    size_t size() const { return n_; }
    int version() const { return version_; }
    uint32_t operator[](size_t i) const { return version_ == 1 ? u16_[i] : u32_[i]; }
    // Copies tokens [begin, begin+n) into out.
    void read(size_t begin, size_t n, uint32_t* out) const;
    uint32_t max_id() const; // scans the shard
    const std::string& path() const { return path_; }

private:
    std::string path_;
    void* map_ = nullptr;
    size_t map_len_ = 0, n_ = 0;
    int version_ = 0;
    const uint16_t* u16_ = nullptr;
    const uint32_t* u32_ = nullptr;
};

class ShardWriter {
public:
    // version 1 (uint16) or 2 (uint32). Written atomically (path.tmp, renamed by commit()).
    ShardWriter(const std::string& path, int version);
    void append(const uint32_t* ids, size_t n); // throws if an id does not fit the version
    void commit();
    uint64_t tokens() const { return count_; }

private:
    std::unique_ptr<Output> out_;
    int version_;
    uint64_t count_ = 0;
    std::vector<char> scratch_;
};

} // namespace lmk
