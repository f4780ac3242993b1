// tok/vocab.cpp: open-addressing tables for token strings and merge pairs.
#include "lmk/tok/vocab.h"

#include <xxhash.h>

namespace lmk::tok {

uint64_t hash_bytes(std::string_view s) { return XXH3_64bits(s.data(), s.size()); }

uint32_t Vocab::add(std::string token) {
    uint32_t id = uint32_t(tokens_.size());
    tokens_.push_back(std::move(token));
    index(id);
    return id;
}

void Vocab::set(uint32_t id, std::string token) {
    if (id >= tokens_.size()) tokens_.resize(size_t(id) + 1);
    tokens_[id] = std::move(token);
    index(id);
}

uint32_t Vocab::lookup(std::string_view s) const {
    if (slots_.empty()) return kNone;
    size_t mask = slots_.size() - 1;
    for (size_t i = hash_bytes(s) & mask;; i = (i + 1) & mask) {
        uint32_t id = slots_[i];
        if (id == kNone) return kNone;
        if (tokens_[id] == s) return id;
    }
}

void Vocab::index(uint32_t id) {
    if ((used_ + 1) * 2 > slots_.size()) grow();
    size_t mask = slots_.size() - 1;
    for (size_t i = hash_bytes(tokens_[id]) & mask;; i = (i + 1) & mask) {
        uint32_t cur = slots_[i];
        if (cur == kNone) { slots_[i] = id; used_++; return; }
        if (cur == id) return;
        if (tokens_[cur] == tokens_[id]) return; // duplicate string: the first id wins
    }
}

void Vocab::grow() {
    std::vector<uint32_t> old = std::move(slots_);
    slots_.assign(old.empty() ? 1024 : old.size() * 2, kNone);
    used_ = 0;
    size_t mask = slots_.size() - 1;
    for (uint32_t id : old) {
        if (id == kNone) continue;
        size_t i = hash_bytes(tokens_[id]) & mask;
        while (slots_[i] != kNone) i = (i + 1) & mask;
        slots_[i] = id;
        used_++;
    }
}

void PairMap::insert(uint32_t a, uint32_t b, Merge m) {
    if ((used_ + 1) * 2 > slots_.size()) grow();
    uint64_t k = key(a, b);
    size_t mask = slots_.size() - 1;
    for (size_t i = mix(k) & mask;; i = (i + 1) & mask) {
        Slot& s = slots_[i];
        if (s.key == k) return;
        if (s.key == kEmpty) { s.key = k; s.m = m; used_++; return; }
    }
}

void PairMap::grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.empty() ? 1024 : old.size() * 2, Slot{});
    used_ = 0;
    size_t mask = slots_.size() - 1;
    for (const Slot& s : old) {
        if (s.key == kEmpty) continue;
        size_t i = mix(s.key) & mask;
        while (slots_[i].key != kEmpty) i = (i + 1) & mask;
        slots_[i] = s;
        used_++;
    }
}

} // namespace lmk::tok
