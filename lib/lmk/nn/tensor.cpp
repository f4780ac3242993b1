// nn/tensor.cpp: Shape, Tensor storage and views, the step Arena, bf16 conversion.
#include "lmk/nn/tensor.h"
#include "lmk/core/error.h"
#include "lmk/nn/kernels.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fmt/format.h>

namespace lmk::nn {

namespace {
constexpr size_t kAlign = 64; // a cache line and an AVX-512 register
} // namespace

// Plain 64-byte alignment. Transparent huge pages (2 MB aligned blocks, madvise) were tried:
// on this VM they made the small config's optimizer pass 7x slower (2.8 -> 20-37 ms a step,
// with no page faults counted), even with only the arena on huge pages, so they are not used.
void* allocate_aligned(size_t nbytes) {
    const size_t rounded = (std::max<size_t>(nbytes, 1) + kAlign - 1) / kAlign * kAlign;
    void* p = std::aligned_alloc(kAlign, rounded);
    LMK_CHECK(p != nullptr, "out of memory allocating {} bytes", nbytes);
    return p;
}

Shape::Shape(std::initializer_list<int64_t> dims) {
    LMK_CHECK(dims.size() <= 4, "tensor shapes have at most 4 dims, got {}", dims.size());
    for (int64_t d : dims) dim[size_t(ndim++)] = d;
}

Shape Shape::from(const std::vector<int64_t>& dims) {
    LMK_CHECK(dims.size() <= 4, "tensor shapes have at most 4 dims, got {}", dims.size());
    Shape s;
    for (int64_t d : dims) s.dim[size_t(s.ndim++)] = d;
    return s;
}

int64_t Shape::numel() const {
    int64_t n = 1;
    for (int i = 0; i < ndim; i++) n *= dim[size_t(i)];
    return n;
}

std::string Shape::str() const {
    std::string s = "(";
    for (int i = 0; i < ndim; i++) s += fmt::format("{}{}", i ? ", " : "", dim[size_t(i)]);
    return s + ")";
}

bool Shape::operator==(const Shape& o) const {
    if (ndim != o.ndim) return false;
    for (int i = 0; i < ndim; i++)
        if (dim[size_t(i)] != o.dim[size_t(i)]) return false;
    return true;
}

Tensor Tensor::zeros(Shape shape) {
    for (int i = 0; i < shape.ndim; i++)
        LMK_CHECK(shape.dim[size_t(i)] >= 0, "negative dimension in shape {}", shape.str());
    size_t n = size_t(shape.numel());
    float* p = static_cast<float*>(allocate_aligned(n * sizeof(float)));
    std::memset(p, 0, n * sizeof(float));
    Tensor t(p, shape);
    t.owner_ = std::shared_ptr<void>(p, [](void* q) { std::free(q); });
    return t;
}

Tensor Tensor::from(Shape shape, const std::vector<float>& values) {
    LMK_CHECK(int64_t(values.size()) == shape.numel(), "Tensor::from: {} values for shape {}",
              values.size(), shape.str());
    Tensor t = zeros(shape);
    std::copy(values.begin(), values.end(), t.data_);
    return t;
}

Tensor Tensor::reshape(Shape shape) const {
    LMK_CHECK(shape.numel() == numel(), "cannot reshape {} to {}", shape_.str(), shape.str());
    Tensor t = *this;
    t.shape_ = shape;
    return t;
}

Tensor Tensor::rows(int64_t begin, int64_t end) const {
    LMK_CHECK(shape_.ndim >= 1 && begin >= 0 && begin <= end && end <= shape_[0],
              "rows [{}, {}) out of range for {}", begin, end, shape_.str());
    Tensor t = *this;
    int64_t row = shape_[0] ? numel() / shape_[0] : 0;
    t.data_ = data_ + begin * row;
    t.shape_.dim[0] = end - begin;
    return t;
}

void Tensor::fill(float value) const { std::fill(data_, data_ + numel(), value); }

void Tensor::copy_from(const Tensor& src) const {
    LMK_CHECK(src.numel() == numel(), "copy_from: {} into {}", src.shape_.str(), shape_.str());
    if (src.data_ != data_) std::memmove(data_, src.data_, size_t(numel()) * sizeof(float));
}

std::vector<float> Tensor::to_vector() const { return {data_, data_ + numel()}; }

// ---- Arena ----

Arena::~Arena() {
    for (Block& b : blocks_) std::free(b.base);
}

void* Arena::alloc_bytes(size_t nbytes) {
    size_t need = (std::max<size_t>(nbytes, 1) + kAlign - 1) / kAlign * kAlign;
    // The blocks in order, as the first step filled them: the same requests land in the same
    // places again (see reset()).
    while (current_ < blocks_.size() && blocks_[current_].used + need > blocks_[current_].size) current_++;
    if (current_ == blocks_.size()) { // first step (or a bigger one): a new block
        size_t size = std::max<size_t>(need, std::max<size_t>(size_t(1) << 20, capacity() / 2));
        blocks_.push_back({static_cast<char*>(allocate_aligned(size)), size, 0});
    }
    Block& b = blocks_[current_];
    void* p = b.base + b.used;
    b.used += need;
    used_total_ += need;
    high_water_ = std::max(high_water_, used_total_);
    return p;
}

Tensor Arena::zeros(Shape shape) {
    Tensor t = tensor(shape);
    t.zero();
    return t;
}

void Arena::reset() {
    // The blocks are kept, not merged into one: a step that makes the same requests as the
    // last fills them in the same order and touches only pages it touched before (a merged
    // block of the high-water size was fresh memory, and faulting its pages in made the second
    // step as slow as the first: small config 2.9 -> 0.85 s, 356k -> 185k page faults a run).
    // Steps of other shapes may add blocks; once the blocks hold over twice the high-water
    // mark, they are merged into one of that size after all (the GPT configs: 1.25-1.5x).
    if (blocks_.size() > 1 && capacity() > 2 * high_water_) {
        for (Block& b : blocks_) std::free(b.base);
        blocks_.clear();
        blocks_.push_back({static_cast<char*>(allocate_aligned(high_water_)), high_water_, 0});
    }
    for (Block& b : blocks_) b.used = 0;
    current_ = 0;
    used_total_ = 0;
}

size_t Arena::capacity() const {
    size_t n = 0;
    for (const Block& b : blocks_) n += b.size;
    return n;
}

// ---- bf16 ----

namespace {
// 8 lanes: one AVX2 register (GCC splits wider generic vectors' compares into scalar code).
using U32x8 = uint32_t __attribute__((vector_size(32)));
using I32x8 = int32_t __attribute__((vector_size(32)));
using U16x8 = uint16_t __attribute__((vector_size(16)));

// bf16_round on 8 lanes at a time (GCC vector extensions), the tail one by one: the same
// bits on every path. Inlined into one copy per instruction set below.
__attribute__((always_inline)) inline void to_bf16_body(const float* src, uint16_t* dst, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        U32x8 u;
        std::memcpy(&u, src + i, sizeof u);
        const U32x8 rounded = (u + 0x7fffu + ((u >> 16) & 1u)) >> 16;
        const U32x8 quiet_nan = (u >> 16) | 0x40u;
        // |x| > inf bit pattern: both sides fit in 31 bits, so a signed compare is exact
        // (AVX2 has no unsigned one).
        const U32x8 nan = U32x8(I32x8(u & 0x7fffffffu) > 0x7f800000); // all ones where NaN
        const U32x8 r = (quiet_nan & nan) | (rounded & ~nan);
        const U16x8 h = __builtin_convertvector(r, U16x8);
        std::memcpy(dst + i, &h, sizeof h);
    }
    for (; i < n; i++) dst[i] = bf16_round(src[i]);
}

__attribute__((target("avx512f,avx512bw,avx512vl"))) void to_bf16_avx512(const float* src, uint16_t* dst, size_t n) {
    to_bf16_body(src, dst, n);
}
__attribute__((target("avx2"))) void to_bf16_avx2(const float* src, uint16_t* dst, size_t n) {
    to_bf16_body(src, dst, n);
}
void to_bf16_generic(const float* src, uint16_t* dst, size_t n) { to_bf16_body(src, dst, n); }
} // namespace

void to_bf16(const float* src, uint16_t* dst, size_t n) {
    switch (current_isa()) { // the engine's dispatch: set_isa("scalar") tests the generic copy
    case Isa::avx512: return to_bf16_avx512(src, dst, n);
    case Isa::avx2: return to_bf16_avx2(src, dst, n);
    case Isa::scalar: break;
    }
    to_bf16_generic(src, dst, n);
}

void from_bf16(const uint16_t* src, float* dst, size_t n) {
    for (size_t i = 0; i < n; i++) {
        uint32_t u = uint32_t(src[i]) << 16;
        std::memcpy(&dst[i], &u, 4);
    }
}

} // namespace lmk::nn
