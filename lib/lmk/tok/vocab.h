// tok/vocab.h: the token <-> id tables every subword model shares.
//
// Vocab owns the token strings (ids 0..size-1, no holes) and an open-addressing hash index
// from string to id (XXH3 hashes, linear probing, load <= 1/2), so a lookup is one hash and
// usually one string compare. PairMap maps an ordered pair of ids to (rank, merged id): the
// BPE merge table. Both are built once and then only read, so they are safe to share
// between threads.
//
//   lmk::tok::Vocab v;
//   uint32_t id = v.add("hello");          // ids are assigned in insertion order
//   auto hit = v.find("hello");            // std::optional<uint32_t>
//   lmk::tok::PairMap m; m.insert(a, b, {rank, merged});
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lmk::tok {

uint64_t hash_bytes(std::string_view s);

class Vocab {
public:
    static constexpr uint32_t kNone = 0xFFFFFFFFu;
    // Appends a token and returns its id; a duplicate string keeps its first id in the index.
    uint32_t add(std::string token);
    // Sets id's string (id may extend the table; holes are empty strings, not indexed).
    void set(uint32_t id, std::string token);
    uint32_t lookup(std::string_view s) const; // kNone when absent
    std::optional<uint32_t> find(std::string_view s) const {
        uint32_t id = lookup(s);
        return id == kNone ? std::nullopt : std::optional<uint32_t>(id);
    }
    const std::string& token(uint32_t id) const { return tokens_[id]; }
    size_t size() const { return tokens_.size(); }
    const std::vector<std::string>& tokens() const { return tokens_; }

private:
    void index(uint32_t id);
    void grow();
    // A slot holds an id and the high 32 bits of its token's hash, so a probe compares
    // strings only when the hashes agree. Size is a power of two; id kNone = empty.
    struct Slot {
        uint32_t id = kNone;
        uint32_t tag = 0;
    };
    std::vector<std::string> tokens_;
    std::vector<Slot> slots_;
    size_t used_ = 0;
};

struct Merge {
    uint32_t rank;
    uint32_t merged;
};

class PairMap {
public:
    static uint64_t key(uint32_t a, uint32_t b) { return (uint64_t(a) << 32) | b; }
    // Keeps the first (lowest-rank) entry when a pair is inserted twice.
    void insert(uint32_t a, uint32_t b, Merge m);
    const Merge* find(uint32_t a, uint32_t b) const {
        if (slots_.empty()) return nullptr;
        uint64_t k = key(a, b);
        size_t mask = slots_.size() - 1;
        for (size_t i = mix(k) & mask;; i = (i + 1) & mask) {
            const Slot& s = slots_[i];
            if (s.key == k) return &s.m;
            if (s.key == kEmpty) return nullptr;
        }
    }
    size_t size() const { return used_; }

private:
    static constexpr uint64_t kEmpty = ~uint64_t(0);
    static uint64_t mix(uint64_t k) {
        k ^= k >> 33; k *= 0xff51afd7ed558ccdULL; k ^= k >> 33;
        return k;
    }
    struct Slot {
        uint64_t key = kEmpty;
        Merge m{};
    };
    void grow();
    std::vector<Slot> slots_;
    size_t used_ = 0;
};

} // namespace lmk::tok
