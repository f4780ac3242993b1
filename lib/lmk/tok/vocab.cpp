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
    const uint64_t h = hash_bytes(s);
    const uint32_t tag = uint32_t(h >> 32);
    const size_t mask = slots_.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        const Slot& sl = slots_[i];
        if (sl.id == kNone) return kNone;
        if (sl.tag == tag && tokens_[sl.id] == s) return sl.id;
    }
}

void Vocab::index(uint32_t id) {
    if ((used_ + 1) * 2 > slots_.size()) grow();
    const uint64_t h = hash_bytes(tokens_[id]);
    const size_t mask = slots_.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        Slot& sl = slots_[i];
        if (sl.id == kNone) { sl = {id, uint32_t(h >> 32)}; used_++; return; }
        if (sl.id == id) return;
        if (tokens_[sl.id] == tokens_[id]) return; // duplicate string: the first id wins
    }
}

void Vocab::grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.empty() ? 1024 : old.size() * 2, Slot{});
    used_ = 0;
    const size_t mask = slots_.size() - 1;
    for (const Slot& o : old) {
        if (o.id == kNone) continue;
        size_t i = hash_bytes(tokens_[o.id]) & mask;
        while (slots_[i].id != kNone) i = (i + 1) & mask;
        slots_[i] = o;
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
