// text/union_find.h: disjoint sets over dense document indices, where every set's root is its
// smallest member — the document a dedup keeps.
//
// Memory: one uint32 per document (4 bytes/doc, up to 2^32 - 1 documents), nothing else; no
// rank array is needed because linking the larger root under the smaller one plus path
// halving keeps finds short in practice. The result (the partition and each set's root)
// depends only on the set of unions, never on their order, so parallel or staged producers of
// pairs give identical clusters.
//
//   lmk::UnionFind uf(n);
//   uf.unite(7, 3); uf.unite(3, 9);
//   uf.find(9) == 3;  uf.find(4) == 4;
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace lmk {

class UnionFind {
public:
    explicit UnionFind(size_t n = 0);
    void reset(size_t n);
    size_t size() const { return parent_.size(); }
    uint32_t find(uint32_t x);
    // Joins the sets of a and b; returns false if they were already one set.
    bool unite(uint32_t a, uint32_t b);
    bool same(uint32_t a, uint32_t b) { return find(a) == find(b); }
    // Makes every entry point straight at its root (parent() then is the root).
    void flatten();
    uint32_t parent(uint32_t x) const { return parent_[x]; }

private:
    std::vector<uint32_t> parent_;
};

} // namespace lmk
