// nn/kernels_avx2.cpp: the engine's inner loops on 8-float AVX2 + FMA registers.
//
// Compiled for AVX2 by the pragma below (standard headers are included before it, so no
// shared inline function gets AVX2 code); only called after a CPU check (kernels.cpp).
#include "lmk/nn/simd_table.h"

#include <cmath>
#include <cstring>
#include <type_traits>
#include <immintrin.h>

#pragma GCC push_options
#pragma GCC target("avx2,fma")

namespace lmk::nn::detail {
namespace isa_avx2 {

struct V {
    __m256 v;
    static constexpr int W = 8;
    static V load(const float* p) { return {_mm256_loadu_ps(p)}; }
    static void store(float* p, V a) { _mm256_storeu_ps(p, a.v); }
    static V set1(float x) { return {_mm256_set1_ps(x)}; }
};
static inline V operator+(V a, V b) { return {_mm256_add_ps(a.v, b.v)}; }
static inline V operator-(V a, V b) { return {_mm256_sub_ps(a.v, b.v)}; }
static inline V operator*(V a, V b) { return {_mm256_mul_ps(a.v, b.v)}; }
static inline V operator/(V a, V b) { return {_mm256_div_ps(a.v, b.v)}; }
static inline V fma(V a, V b, V c) { return {_mm256_fmadd_ps(a.v, b.v, c.v)}; }
static inline V fnma(V a, V b, V c) { return {_mm256_fnmadd_ps(a.v, b.v, c.v)}; }
static inline V max(V a, V b) { return {_mm256_max_ps(a.v, b.v)}; }
static inline V min(V a, V b) { return {_mm256_min_ps(a.v, b.v)}; }
static inline float hsum(V a) {
    __m128 x = _mm_add_ps(_mm256_castps256_ps128(a.v), _mm256_extractf128_ps(a.v, 1));
    x = _mm_add_ps(x, _mm_movehl_ps(x, x));
    x = _mm_add_ss(x, _mm_movehdup_ps(x));
    return _mm_cvtss_f32(x);
}
static inline float hmax(V a) {
    __m128 x = _mm_max_ps(_mm256_castps256_ps128(a.v), _mm256_extractf128_ps(a.v, 1));
    x = _mm_max_ps(x, _mm_movehl_ps(x, x));
    x = _mm_max_ss(x, _mm_movehdup_ps(x));
    return _mm_cvtss_f32(x);
}
static inline V round_nearest(V a) { return {_mm256_round_ps(a.v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)}; }
static inline V pow2n(V n) {
    __m256i e = _mm256_add_epi32(_mm256_cvtps_epi32(n.v), _mm256_set1_epi32(127));
    return {_mm256_castsi256_ps(_mm256_slli_epi32(e, 23))};
}
static inline V sqrt(V a) { return {_mm256_sqrt_ps(a.v)}; }
static inline V abs(V a) { return {_mm256_andnot_ps(_mm256_set1_ps(-0.f), a.v)}; }
static inline V copysign(V mag, V sign) {
    const __m256 sb = _mm256_set1_ps(-0.f);
    return {_mm256_or_ps(_mm256_andnot_ps(sb, mag.v), _mm256_and_ps(sb, sign.v))};
}
static inline V select_lt(V a, V b, V x, V y) {
    return {_mm256_blendv_ps(y.v, x.v, _mm256_cmp_ps(a.v, b.v, _CMP_LT_OQ))};
}

#include "simd_kernels.inc"

} // namespace isa_avx2

const SimdTable& simd_table_avx2() { return isa_avx2::table; }

} // namespace lmk::nn::detail

#pragma GCC pop_options
