// nn/kernels_scalar.cpp: the portable path of the engine's inner loops (one float at a time).
// Runs on any CPU; tests run it to check the vector paths against the same formulas.
#include "lmk/nn/simd_table.h"

#include <cmath>
#include <cstring>
#include <type_traits>

namespace lmk::nn::detail {
namespace isa_scalar {
#define LMK_SIMD_SCALAR
#include "simd_kernels.inc"
#undef LMK_SIMD_SCALAR
} // namespace isa_scalar

const SimdTable& simd_table_scalar() { return isa_scalar::table; }

} // namespace lmk::nn::detail
