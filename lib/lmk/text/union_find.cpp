// text/union_find.cpp: min-root union-find with path halving.
#include "lmk/text/union_find.h"

#include "lmk/core/error.h"

#include <numeric>

namespace lmk {

UnionFind::UnionFind(size_t n) { reset(n); }

void UnionFind::reset(size_t n) {
    LMK_CHECK(n < (size_t(1) << 32), "union-find: {} documents exceed the 2^32 - 1 limit", n);
    parent_.resize(n);
    std::iota(parent_.begin(), parent_.end(), uint32_t(0));
}

uint32_t UnionFind::find(uint32_t x) {
    while (parent_[x] != x) {
        parent_[x] = parent_[parent_[x]]; // path halving
        x = parent_[x];
    }
    return x;
}

bool UnionFind::unite(uint32_t a, uint32_t b) {
    uint32_t ra = find(a), rb = find(b);
    if (ra == rb) return false;
    // The smaller index becomes the root, so a set's root is always its first document.
    if (ra < rb) parent_[rb] = ra;
    else parent_[ra] = rb;
    return true;
}

void UnionFind::flatten() {
    // Parents always have smaller indices than their children, so one ascending pass suffices.
    for (size_t i = 0; i < parent_.size(); ++i) parent_[i] = parent_[parent_[i]];
}

} // namespace lmk
