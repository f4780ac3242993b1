// nn/tensor.h: Shape, Tensor (fp32, contiguous row-major) and the Arena that backs a step.
//
// A Tensor is a pointer, a shape and an optional owner. Tensors made by Tensor::zeros own
// their storage (RAII, shared by views); tensors carved from an Arena do not own anything
// and stay valid until that arena is reset. Views (reshape, rows) share data, never copy.
// There is no math here: kernels (nn/kernels.h) work on raw pointers and sizes, ops
// (nn/ops.h) pair them with autograd.
//
// Invariants: data is contiguous row-major fp32, 64-byte aligned when freshly allocated;
// shape has 0..4 dims and numel() == product of dims (a 0-dim tensor is a scalar, numel 1).
// bf16 exists only as matmul operand copies (raw uint16_t buffers, see to_bf16), never as
// a Tensor dtype: master weights, activations and gradients stay fp32.
//
//   lmk::nn::Tensor w = lmk::nn::Tensor::zeros({768, 2304});   // owned, zero-filled
//   lmk::nn::Tensor v = w.reshape({768 * 2304});                // view, same storage
//   lmk::nn::Arena arena;
//   float* scratch = arena.alloc_floats(4096);                 // valid until arena.reset()
//   lmk::nn::Tensor act = arena.tensor({8, 64, 768});           // uninitialised
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

namespace lmk::nn {

// Up to 4 dimensions, outermost first (llm.c order: B, T, C or B, T, NH, HS).
struct Shape {
    std::array<int64_t, 4> dim{0, 0, 0, 0};
    int ndim = 0;

    Shape() = default;
    Shape(std::initializer_list<int64_t> dims);
    static Shape from(const std::vector<int64_t>& dims);
    int64_t numel() const;
    int64_t operator[](int i) const { return dim[size_t(i < 0 ? i + ndim : i)]; }
    int64_t last() const { return ndim ? dim[size_t(ndim - 1)] : 1; }
    int64_t rows() const { return ndim ? numel() / last() : 1; } // all dims but the last
    std::vector<int64_t> to_vector() const { return {dim.begin(), dim.begin() + ndim}; }
    std::string str() const; // "(8, 64, 768)"
    bool operator==(const Shape& o) const;
    bool operator!=(const Shape& o) const { return !(*this == o); }
};

class Tensor {
public:
    Tensor() = default;
    // A non-owning tensor over `data` (an arena block, an mmap, a caller's buffer).
    Tensor(float* data, Shape shape) : data_(data), shape_(shape) {}

    static Tensor zeros(Shape shape);                      // owned, 64-byte aligned
    static Tensor from(Shape shape, const std::vector<float>& values); // owned copy

    float* data() const { return data_; }
    const Shape& shape() const { return shape_; }
    int64_t numel() const { return shape_.numel(); }
    int64_t dim(int i) const { return shape_[i]; }
    bool defined() const { return data_ != nullptr; }
    float& operator[](int64_t i) const { return data_[i]; }

    Tensor reshape(Shape shape) const;             // same numel; shares storage
    Tensor rows(int64_t begin, int64_t end) const; // slice of the first dim; shares storage
    void fill(float value) const;
    void zero() const { fill(0.f); }
    void copy_from(const Tensor& src) const;       // same numel
    std::vector<float> to_vector() const;

private:
    float* data_ = nullptr;
    Shape shape_;
    std::shared_ptr<void> owner_; // null for non-owning tensors
};

// The engine's storage: 64-byte aligned (tensor.cpp says why no huge pages). Free with
// std::free. Tensor::zeros and the Arena use it; so do benchmarks that time the engine's
// kernels on buffers like the engine's.
void* allocate_aligned(size_t nbytes);

// A bump allocator for one training step's activations, gradients and scratch. reset()
// rewinds it; the first step grows it block by block, and a later step making the same
// requests fills the same blocks in the same order: it allocates nothing and touches no new
// page. Blocks beyond twice the high-water mark (steps of other shapes) are merged into one
// at a reset.
class Arena {
public:
    Arena() = default;
    ~Arena();
    Arena(const Arena&) = delete;
    Arena& operator=(const Arena&) = delete;

    void* alloc_bytes(size_t nbytes);        // 64-byte aligned, uninitialised
    float* alloc_floats(size_t n) { return static_cast<float*>(alloc_bytes(n * sizeof(float))); }
    Tensor tensor(Shape shape) { return Tensor(alloc_floats(size_t(shape.numel())), shape); }
    Tensor zeros(Shape shape);
    void reset();
    size_t capacity() const;  // bytes held
    size_t used() const { return used_total_; }
    size_t block_count() const { return blocks_.size(); }

private:
    struct Block {
        char* base;
        size_t size;
        size_t used;
    };
    std::vector<Block> blocks_;
    size_t current_ = 0; // the block requests are served from
    size_t used_total_ = 0;
    size_t high_water_ = 0;
};

// fp32 -> bf16, round to nearest even; a NaN stays a (quiet) NaN.
inline uint16_t bf16_round(float f) {
    uint32_t u;
    __builtin_memcpy(&u, &f, 4);
    if ((u & 0x7fffffffu) > 0x7f800000u) return uint16_t((u >> 16) | 0x40);
    return uint16_t((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}
// fp32 <-> bf16 (bf16_round per element, vectorised). n elements, any alignment.
void to_bf16(const float* src, uint16_t* dst, size_t n);
void from_bf16(const uint16_t* src, float* dst, size_t n);

} // namespace lmk::nn
