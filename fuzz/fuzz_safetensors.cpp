// Fuzzes the safetensors header validation: a file either fails with lmk::Error or every
// tensor's bytes lie inside the mapping (read them all; ASan reports any overrun).
#include "fuzz_input.h"
#include "lmk/core/error.h"
#include "lmk/io/safetensors.h"

#include <cstdint>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    FuzzFile f(data, size);
    try {
        lmk::SafetensorsFile st(f.path());
        volatile uint8_t sink = 0;
        for (const auto& t : st.tensors()) {
            const auto* p = static_cast<const uint8_t*>(t.data);
            for (size_t i = 0; i < t.nbytes; i++) sink = sink ^ p[i];
            if (t.dtype == lmk::Dtype::f32 || t.dtype == lmk::Dtype::bf16 || t.dtype == lmk::Dtype::f16) {
                std::vector<float> v(size_t(t.numel()));
                st.read_f32(t.name, v.data(), v.size());
            }
        }
        for (const auto& [k, v] : st.metadata()) (void)k, (void)v;
    } catch (const lmk::Error&) {
    }
    return 0;
}
