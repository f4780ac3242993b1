// nn/kernels_avx512.cpp: the engine's inner loops on 16-float AVX-512 registers.
//
// Compiled for AVX-512 (F, DQ, BW, VL) by the pragma below (standard headers are included
// before it, so no shared inline function gets AVX-512 code); only called after a CPU check.
#include "lmk/nn/simd_table.h"

#include <cmath>
#include <cstring>
#include <type_traits>
#include <immintrin.h>

// GCC 12 reports its own _mm512_undefined_* placeholders inside the intrinsics headers as
// uninitialised (a known false positive); nothing here reads an undefined register.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#pragma GCC push_options
#pragma GCC target("avx512f,avx512dq,avx512bw,avx512vl,avx2,fma")

namespace lmk::nn::detail {
namespace isa_avx512 {

struct V {
    __m512 v;
    static constexpr int W = 16;
    static V load(const float* p) { return {_mm512_loadu_ps(p)}; }
    static void store(float* p, V a) { _mm512_storeu_ps(p, a.v); }
    static V set1(float x) { return {_mm512_set1_ps(x)}; }
};
static inline V operator+(V a, V b) { return {_mm512_add_ps(a.v, b.v)}; }
static inline V operator-(V a, V b) { return {_mm512_sub_ps(a.v, b.v)}; }
static inline V operator*(V a, V b) { return {_mm512_mul_ps(a.v, b.v)}; }
static inline V operator/(V a, V b) { return {_mm512_div_ps(a.v, b.v)}; }
static inline V fma(V a, V b, V c) { return {_mm512_fmadd_ps(a.v, b.v, c.v)}; }
static inline V fnma(V a, V b, V c) { return {_mm512_fnmadd_ps(a.v, b.v, c.v)}; }
static inline V max(V a, V b) { return {_mm512_max_ps(a.v, b.v)}; }
static inline V min(V a, V b) { return {_mm512_min_ps(a.v, b.v)}; }
static inline float hsum(V a) {
    __m256 x = _mm256_add_ps(_mm512_castps512_ps256(a.v), _mm512_extractf32x8_ps(a.v, 1));
    __m128 y = _mm_add_ps(_mm256_castps256_ps128(x), _mm256_extractf128_ps(x, 1));
    y = _mm_add_ps(y, _mm_movehl_ps(y, y));
    y = _mm_add_ss(y, _mm_movehdup_ps(y));
    return _mm_cvtss_f32(y);
}
static inline float hmax(V a) {
    __m256 x = _mm256_max_ps(_mm512_castps512_ps256(a.v), _mm512_extractf32x8_ps(a.v, 1));
    __m128 y = _mm_max_ps(_mm256_castps256_ps128(x), _mm256_extractf128_ps(x, 1));
    y = _mm_max_ps(y, _mm_movehl_ps(y, y));
    y = _mm_max_ss(y, _mm_movehdup_ps(y));
    return _mm_cvtss_f32(y);
}
static inline V round_nearest(V a) { return {_mm512_roundscale_ps(a.v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)}; }
static inline V pow2n(V n) {
    __m512i e = _mm512_add_epi32(_mm512_cvtps_epi32(n.v), _mm512_set1_epi32(127));
    return {_mm512_castsi512_ps(_mm512_slli_epi32(e, 23))};
}
static inline V sqrt(V a) { return {_mm512_sqrt_ps(a.v)}; }
static inline V abs(V a) { return {_mm512_abs_ps(a.v)}; }
static inline V copysign(V mag, V sign) {
    const __m512 sb = _mm512_set1_ps(-0.f);
    return {_mm512_or_ps(_mm512_andnot_ps(sb, mag.v), _mm512_and_ps(sb, sign.v))};
}
static inline V select_lt(V a, V b, V x, V y) {
    return {_mm512_mask_blend_ps(_mm512_cmp_ps_mask(a.v, b.v, _CMP_LT_OQ), y.v, x.v)};
}

#include "simd_kernels.inc"

} // namespace isa_avx512

const SimdTable& simd_table_avx512() { return isa_avx512::table; }

} // namespace lmk::nn::detail

#pragma GCC pop_options
